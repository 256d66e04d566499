import { z } from "@hono/zod-openapi";
import { ROLES } from "../../db/schema/tenancy";
import { BILLING_MODES } from "../../domain/vocabulary";

export const RoleSchema = z.enum(ROLES).openapi("Role");

export const OrganizationSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    billingMode: z.enum(BILLING_MODES),
    creditBalance: z.number().int(),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Organization");

export const ApiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().openapi({ example: "dsr_live_a1B2c3" }),
    role: RoleSchema,
    rateLimitPerMinute: z.number().int().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi("ApiKey");

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: "The secret. Shown only in this response." }),
}).openapi("CreatedApiKey");

export const idParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "7b0c…" }) });
