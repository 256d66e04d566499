import type { Integration } from "../../providers/types";
import { sanctionsScreen } from "./integration";

export const sanctionsIntegrations: Integration[] = [sanctionsScreen];
