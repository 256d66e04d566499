import { env } from "cloudflare:workers";
import type { ReceivedWebhook } from "../fake-provider/webhooks";

export type { ReceivedWebhook };

/** A fresh bin on the fake receiver (127.0.0.1); `fail` makes its first N requests answer `status` (500). */
export function receiverUrl(options: { bin?: string; fail?: number; status?: number; redirect?: boolean } = {}) {
  const bin = options.bin ?? crypto.randomUUID();
  const url = new URL(`/webhooks/in/${bin}`, env.FAKE_PROVIDER_URL);
  if (options.fail) url.searchParams.set("fail", String(options.fail));
  if (options.status) url.searchParams.set("status", String(options.status));
  if (options.redirect) url.searchParams.set("redirect", "1");
  return { bin, url: url.toString() };
}

export async function receivedBy(bin: string): Promise<ReceivedWebhook[]> {
  const res = await fetch(new URL(`/webhooks/received/${bin}`, env.FAKE_PROVIDER_URL));
  return (await res.json()) as ReceivedWebhook[];
}

/** Polls the receiver until `count` requests arrived (the real queue delivers in the background). */
export async function waitForReceived(bin: string, count = 1, deadlineMs = 15_000): Promise<ReceivedWebhook[]> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const received = await receivedBy(bin);
    if (received.length >= count || Date.now() > until) return received;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
