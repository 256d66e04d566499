import type { IncomingMessage } from "node:http";

export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Answer after this long (simulates a slow or hanging provider). */
  delayMs?: number;
  /** Close the connection without answering (after `delayMs`, if given). */
  closeConnection?: boolean;
}

export type FakeRoute = (req: IncomingMessage, body: string, url: URL) => FakeAnswer | undefined;

/** Routes by the first path segment: `/gleif/...` goes to the route registered as "gleif". */
export const fakeRoutes = new Map<string, FakeRoute>();

export function registerFakeRoute(prefix: string, route: FakeRoute) {
  fakeRoutes.set(prefix, route);
}
