import type { AutoTrigger } from "../../db/schema/auto-enrichment";
import type { EntityType } from "../../domain/attributes";
import { type SqlFragment, sqlFragment } from "../../platform/db/sql-fragment";
import { ApiError } from "../../platform/errors";
import { catalogFor } from "../catalog";
import type { EntityWrite, EntityWriteHook } from "../entities";
import { integrationProblem } from "./config/check";
import { sendJobsAfterCommit } from "./dispatch";
import { insertJobStatement, newJobIds } from "./jobs/insert";

/**
 * Whether the organization's configuration (as committed when the write's batch runs, not as some cache remembers it)
 * has this trigger on for the entity type: the master switch, the type's switch, at least one integration or group,
 * and the trigger's own setting.
 */
function configAllows(orgId: string, type: EntityType, trigger: SqlFragment): SqlFragment {
  const at = `'$.entityTypes.${type}`;
  return sqlFragment(
    `EXISTS (SELECT 1 FROM auto_enrichment_configs c WHERE c.org_id = ?
       AND json_extract(c.config, '$.enabled') = 1 AND json_extract(c.config, ${at}.enabled') = 1
       AND json_array_length(c.config, ${at}.integrationCodes') + json_array_length(c.config, ${at}.enrichmentGroupRefs') > 0
       AND ${trigger.sql})`,
    orgId,
    ...trigger.params,
  );
}

const onCreate = sqlFragment("json_extract(c.config, '$.triggers.onCreate') = 1");
const onImport = sqlFragment("json_extract(c.config, '$.triggers.onImport') = 1");
const onUpdateOf = (fields: string[]) =>
  sqlFragment(
    `json_extract(c.config, '$.triggers.onUpdate.enabled') = 1
     AND EXISTS (SELECT 1 FROM json_each(c.config, '$.triggers.onUpdate.fields') f WHERE f.value IN (SELECT value FROM json_each(?)))`,
    JSON.stringify(fields),
  );

/** What a write may trigger, and under which condition (none: unconditional, the create payload's own integrations). */
function triggerOf(w: EntityWrite): { trigger: AutoTrigger; when: SqlFragment | null } | null {
  if (w.integrationCodes?.length) return { trigger: "created", when: null };
  if (w.origin === "import") return { trigger: "import", when: onImport };
  if (w.change === "created") return { trigger: "created", when: onCreate };
  return w.changed.length > 0 ? { trigger: "updated", when: onUpdateOf(w.changed) } : null;
}

/**
 * The trigger: every customer write of an entity (entities' write hook) writes a queued job in the same D1 batch when
 * the configuration says so, so no trigger is lost; a later trigger while one is waiting coalesces into it. After the
 * commit each new job's message goes to the `auto-enrichment` queue. The pipeline's own attribute writes are not
 * customer writes and never come here, so enrichment cannot trigger itself.
 */
export const autoEnrichmentTrigger: EntityWriteHook = {
  name: "auto-enrichment",

  async check(db, writes) {
    const explicit = writes.filter((w) => w.integrationCodes?.length);
    if (explicit.length === 0) return;
    const catalog = await catalogFor(db, explicit[0]?.orgId ?? "");
    const details = explicit.flatMap((w) =>
      (w.integrationCodes ?? []).flatMap((code, i) => {
        const problem = integrationProblem(catalog, code, w.entityType);
        return problem ? [{ path: `integrationCodes.${i}`, message: problem }] : [];
      }),
    );
    if (details.length > 0) throw new ApiError("VALIDATION_ERROR", "Unknown or unsuitable integration codes", { details });
  },

  prepare(db, writes) {
    const statements = writes.flatMap((w) => {
      const what = triggerOf(w);
      if (!what) return [];
      const job = {
        orgId: w.orgId,
        entityId: w.entityId,
        entityType: w.entityType,
        trigger: what.trigger,
        triggerFields: w.change === "updated" ? w.changed : [],
        integrationCodes: w.integrationCodes?.length ? w.integrationCodes : null,
        createdByKeyId: w.actorKeyId,
        now: w.at,
      };
      return [insertJobStatement(db, job, "merge", what.when ? configAllows(w.orgId, w.entityType, what.when) : undefined)];
    });
    return {
      statements,
      committed: (env, results) => {
        const orgId = writes[0]?.orgId ?? "";
        return sendJobsAfterCommit(env, newJobIds(results).map((jobId) => ({ orgId, jobId })));
      },
    };
  },
};
