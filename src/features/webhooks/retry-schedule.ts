/** Must equal `max_retries` of the `webhook-deliveries` consumer in wrangler.toml: after that many retries the queue dead-letters. */
export const WEBHOOK_MAX_RETRIES = 20;
/** The retries together span about this long, so an endpoint down for most of a day still gets its events. */
export const RETRY_WINDOW_SECONDS = 24 * 60 * 60;
export const FIRST_RETRY_DELAY_SECONDS = 10;
/** Queues refuse a longer `delaySeconds`. */
export const MAX_QUEUE_DELAY_SECONDS = 43_200;
/** Each delay is scaled by a random factor in [1 - JITTER, 1 + JITTER] so failing endpoints are not hit in lockstep. */
export const JITTER = 0.2;

/**
 * Nominal delays before retry 1..n: a geometric series starting at `first` whose growth factor is solved
 * (by bisection) so that the delays add up to `windowSeconds`.
 */
export function retrySchedule(retries = WEBHOOK_MAX_RETRIES, windowSeconds = RETRY_WINDOW_SECONDS, first = FIRST_RETRY_DELAY_SECONDS): number[] {
  const total = (ratio: number) => (first * (ratio ** retries - 1)) / (ratio - 1);
  let low = 1 + 1e-9;
  let high = 10;
  for (let i = 0; i < 200; i++) {
    const mid = (low + high) / 2;
    if (total(mid) < windowSeconds) low = mid;
    else high = mid;
  }
  return Array.from({ length: retries }, (_, n) => Math.min(MAX_QUEUE_DELAY_SECONDS, Math.round(first * low ** n)));
}

const schedule = retrySchedule();

/**
 * The delay after failed attempt `attempt` (1-based, as `message.attempts` counts), with jitter.
 * After the last attempt there is nothing to wait for: the queue moves the message to the dead-letter queue.
 */
export function retryDelaySeconds(attempt: number, random: () => number = Math.random): number {
  if (attempt > WEBHOOK_MAX_RETRIES) return 0;
  const nominal = schedule[Math.max(attempt, 1) - 1] ?? FIRST_RETRY_DELAY_SECONDS;
  const jittered = nominal * (1 - JITTER + 2 * JITTER * random());
  return Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(1, Math.round(jittered)));
}
