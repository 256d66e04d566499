import type { Integration } from "../types";
import { sanctionsScreen } from "./sanctions-screen";

export const sanctionsIntegrations: Integration[] = [sanctionsScreen];
