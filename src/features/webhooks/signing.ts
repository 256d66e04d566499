import { Webhook } from "standardwebhooks";
import type { Settings } from "../../platform/env";
import { decryptSecret, encryptSecret } from "../../platform/lib/crypto";

const SECRET_PREFIX = "whsec_";

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes (what receivers pass to `new Webhook(secret)`). */
export function generateSigningSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `${SECRET_PREFIX}${btoa(String.fromCharCode(...bytes))}`;
}

export const sealSigningSecret = (secret: string, settings: Settings) => encryptSecret(secret, settings.ENCRYPTION_KEY);

export const openSigningSecret = (envelope: string, settings: Settings) => decryptSecret(envelope, settings.ENCRYPTION_KEY);

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/** The three Standard Webhooks headers; the signature covers `id.timestamp.body`, so the body must be sent byte for byte. */
export function signDelivery(secret: string, messageId: string, at: Date, body: string): SignedHeaders {
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(messageId, at, body),
  };
}
