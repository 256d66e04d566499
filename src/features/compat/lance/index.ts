import type { CompatLayer } from "../product";
import { lance } from "./product";
import { lanceRoutes } from "./routes";

export const lanceLayer: CompatLayer = { product: lance, routers: [lanceRoutes] };
