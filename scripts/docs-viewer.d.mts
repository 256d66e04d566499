export declare const VIEWER_ASSET: string;
export declare function copyDocsViewer(): boolean;
