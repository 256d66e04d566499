import type { Env } from "./env";

/**
 * Event name → the shape of its `data`. The bus names no feature: each publishing feature adds its events by
 * declaration merging (`declare module ".../platform/events" { interface DomainEventMap { "job.completed": … } }`)
 * and lists them in its manifest's `webhookEvents`.
 */
export interface DomainEventMap {}

export type DomainEventType = Extract<keyof DomainEventMap, string>;

export interface DomainEvent {
  id: string;
  type: DomainEventType;
  orgId: string;
  occurredAt: string;
  /** Set when the event belongs to a job that named a webhook. */
  webhookId?: string | null;
  data: Record<string, unknown>;
}

/**
 * What a publisher already read that a subscriber would otherwise read again. Subscribers' features add their
 * hints by declaration merging (webhooks adds the organization's webhooks).
 */
export interface PublishHints {}

export type Subscriber = (events: DomainEvent[], env: Env, hints: PublishHints) => Promise<void>;

const subscribers: Subscriber[] = [];

/** Webhooks (and later rules) subscribe here; publishers never know who listens. */
export function subscribe(subscriber: Subscriber): void {
  subscribers.push(subscriber);
}

export function newEvent(type: DomainEventType, orgId: string, data: Record<string, unknown>, webhookId?: string | null): DomainEvent {
  return { id: `evt_${crypto.randomUUID()}`, type, orgId, occurredAt: new Date().toISOString(), webhookId, data };
}

/** Delivers to every subscriber; one failing subscriber does not stop the others. */
export async function publish(env: Env, events: DomainEvent[], hints: PublishHints = {}): Promise<void> {
  if (events.length === 0) return;
  const outcomes = await Promise.allSettled(subscribers.map((s) => s(events, env, hints)));
  for (const outcome of outcomes) {
    if (outcome.status === "rejected") {
      console.error(JSON.stringify({ level: "error", message: "event subscriber failed", error: String(outcome.reason) }));
    }
  }
}
