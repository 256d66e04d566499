import type { Db } from "../db/client";
import type { Env, Settings } from "../env";

/** API key roles, strongest first. */
export const ROLES = ["admin", "member", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  orgId: string;
  keyId: string;
  role: Role;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    db: Db;
    settings: Settings;
    caller: Caller;
    requestId: string;
  };
}
