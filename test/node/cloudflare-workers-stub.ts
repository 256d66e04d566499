/**
 * Just enough of `cloudflare:workers` for modules that subclass its classes to import in Node,
 * where the node project builds the app only to read its OpenAPI document.
 */
export class DurableObject<E = unknown> {
  constructor(
    readonly ctx: unknown,
    readonly env: E,
  ) {}
}

export class WorkerEntrypoint<E = unknown> {
  constructor(
    readonly ctx: unknown,
    readonly env: E,
  ) {}
}

export class WorkflowEntrypoint<E = unknown> {
  constructor(
    readonly ctx: unknown,
    readonly env: E,
  ) {}
}

export class RpcTarget {}

export const env = {};
export const exports = {};
