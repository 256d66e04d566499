import type { CompatLayer } from "../product";
import { instaview } from "./product";
import { instaviewRoutes } from "./routes";

export const instaviewLayer: CompatLayer = { product: instaview, routers: [instaviewRoutes] };
export { INSTAVIEW_EVENTS, instaviewRunEvents } from "./events";
