import type { Integration } from "../types";
import { emailDiscover } from "./email-discover";
import { emailValidate } from "./email-validate";
import { phoneNormalize } from "./phone-normalize";
import { webProfile } from "./web-profile";

/** Integrations that need no provider account. */
export const builtinIntegrations: Integration[] = [phoneNormalize, emailValidate, emailDiscover, webProfile];
