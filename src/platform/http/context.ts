import type { Db } from "../db/client";
import type { Env, Settings } from "../env";
import type { Role } from "../../db/schema/tenancy";

export type { Role };

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
