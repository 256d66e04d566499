import { describe, expect, it } from "vitest";
import { Semaphore } from "../../src/lib/semaphore";

describe("Semaphore", () => {
  it("never runs more than its limit, even when newcomers arrive as a slot frees up", async () => {
    const semaphore = new Semaphore(2);
    let active = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const task = () =>
      semaphore.run(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise<void>((resolve) => releases.push(resolve));
        active--;
      });
    const running = [task(), task(), task()];
    await Promise.resolve();
    expect(releases).toHaveLength(2);
    // Free one slot and, in the same turn, start another task: the waiter gets the slot, the newcomer waits.
    releases.shift()?.();
    running.push(task());
    for (let i = 0; i < 10 && releases.length < 2; i++) await Promise.resolve();
    expect(active).toBe(2);
    while (releases.length > 0 || active > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await Promise.all(running);
    expect(peak).toBe(2);
  });
});
