import { z } from "zod";
import type { ProviderCallContext } from "../../../platform/queue-context";
import { type ClaimAnswer, type TaskReport, getJobStub, retryDelaySeconds } from "../../jobs";
import { classifyTask } from "./classify-task";
import { fuseTask } from "./fuse-task";
import { fusionTask } from "./fusion-task";
import { groundTask } from "./ground-task";
import { modelTask } from "./model-task";
import type { LlmTaskMessage } from "./run-spec";
import { schemaTask } from "./schema-task";
import { TaskInputs } from "./task-input";
import type { FinishedTask } from "./task-result";

const messageSchema = z.object({
  kind: z.literal("llm_task"),
  jobId: z.string().min(1),
  taskId: z.string().min(1),
  dispatch: z.number().int().min(1),
  orgId: z.string().min(1),
  actorKeyId: z.string().nullable(),
  entityIndex: z.number().int().min(0),
  entityId: z.string(),
  entityData: z.string().nullable(),
  role: z.enum(["classify", "ground", "model", "fuse", "schema", "fusion"]),
  model: z.string().nullable(),
  capCredits: z.number().int().min(0),
  run: z.looseObject({ mode: z.enum(["enrichment", "schema_generation", "schema_edit", "fusion"]) }),
  creditValueUsd: z.string(),
});

interface Claimed {
  message: Message<unknown>;
  body: LlmTaskMessage;
  deadline: number;
}

/** Runs one task by its role; the run's mode says which roles exist. */
async function runTask(inputs: TaskInputs, task: Claimed): Promise<FinishedTask> {
  const { body, deadline } = task;
  const run = body.run;
  if (run.mode === "enrichment") {
    if (body.role === "classify") return classifyTask(inputs, body, run, deadline);
    if (body.role === "ground") return groundTask(inputs, body, run, deadline);
    if (body.role === "fuse") return fuseTask(inputs, body, run, deadline);
    return modelTask(inputs, body, run, deadline);
  }
  if (run.mode === "fusion") return fusionTask(inputs, body, run, deadline);
  return schemaTask(inputs, body, run, deadline);
}

/**
 * Runs `llm_task` messages: asks each job's object which tasks it still wants (one claim per job), runs them side by
 * side (model calls share the invocation's connection cap, each task has its own deadline), records each task in
 * one D1 batch exactly once, and reports what D1 holds, one call per job. A task whose work failed for an internal
 * reason (D1, the object) is handed back to the queue; its records' task keys keep a retry from doing anything twice.
 */
export async function runLlmTasks(messages: Message<unknown>[], context: ProviderCallContext): Promise<void> {
  const parsed: { message: Message<unknown>; body: LlmTaskMessage }[] = [];
  for (const message of messages) {
    const result = messageSchema.safeParse(message.body);
    if (result.success) parsed.push({ message, body: result.data as unknown as LlmTaskMessage });
    else {
      console.error(JSON.stringify({ level: "error", message: "malformed llm_task message dropped", id: message.id }));
      message.ack();
    }
  }
  const byJob = new Map<string, typeof parsed>();
  for (const p of parsed) byJob.set(p.body.jobId, [...(byJob.get(p.body.jobId) ?? []), p]);
  const claimed = (await Promise.all([...byJob.values()].map((group) => claim(group, context)))).flat();
  if (claimed.length === 0) return;
  const inputs = await TaskInputs.load(context, claimed.map((c) => c.body));
  const finished = await Promise.all(
    claimed.map(async (task): Promise<{ task: Claimed; report: TaskReport } | null> => {
      try {
        const done = await runTask(inputs, task);
        return { task, report: { taskId: task.body.taskId, results: done.results, ...(done.next ? { next: done.next } : {}) } };
      } catch (error) {
        console.error(JSON.stringify({ level: "error", message: "llm task failed; retrying", jobId: task.body.jobId, taskId: task.body.taskId, error: String(error) }));
        task.message.retry({ delaySeconds: retryDelaySeconds(task.message.attempts) });
        return null;
      }
    }),
  );
  const reports = new Map<string, { task: Claimed; report: TaskReport }[]>();
  for (const f of finished) if (f) reports.set(f.task.body.jobId, [...(reports.get(f.task.body.jobId) ?? []), f]);
  await Promise.all(
    [...reports].map(async ([jobId, done]) => {
      try {
        await getJobStub(context.env, jobId).reportMany(done.map((d) => d.report));
        for (const d of done) d.task.message.ack();
      } catch (error) {
        // What D1 holds is read back on the retry and reported then.
        console.error(JSON.stringify({ level: "error", message: "reporting llm tasks failed; retrying", jobId, error: String(error) }));
        for (const d of done) d.task.message.retry({ delaySeconds: retryDelaySeconds(d.task.message.attempts) });
      }
    }),
  );
}

async function claim(group: { message: Message<unknown>; body: LlmTaskMessage }[], context: ProviderCallContext): Promise<Claimed[]> {
  const first = group[0];
  if (!first) return [];
  let answers: ClaimAnswer[];
  try {
    answers = await getJobStub(context.env, first.body.jobId).claim(group.map((t) => ({ taskId: t.body.taskId, dispatch: t.body.dispatch, redelivery: t.message.attempts > 1 })));
  } catch (error) {
    console.error(JSON.stringify({ level: "error", message: "claiming llm tasks failed", jobId: first.body.jobId, error: String(error) }));
    for (const t of group) t.message.retry({ delaySeconds: retryDelaySeconds(t.message.attempts) });
    return [];
  }
  return group.flatMap((t, i) => {
    const answer = answers[i];
    if (answer?.run) return [{ ...t, deadline: answer.deadline }];
    t.message.ack();
    return [];
  });
}
