import type { CompatLayer } from "../product";
import { gu1 } from "./product";
import { gu1Routes } from "./routes";

export const gu1Layer: CompatLayer = { product: gu1, routers: [gu1Routes] };
