import type { Db } from "../db/client";
import type { Env, Settings } from "../env";

export type Role = "admin" | "member" | "viewer";

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
