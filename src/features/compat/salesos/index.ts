import type { CompatLayer } from "../product";
import { salesos } from "./product";

export const salesosLayer: CompatLayer = { product: salesos, routers: [] };
