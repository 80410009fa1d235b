import { setTimeout as sleep } from 'node:timers/promises';
import { vi } from 'vitest';

/**
 * Moves the clock lru-cache reads (performance.now) forward by `ms`; the sleep lets its 1 ms reading cache
 * lapse. Undo with vi.restoreAllMocks().
 */
export async function advanceLruClock(ms: number): Promise<void> {
  const base = performance.now() + ms;
  const startedAt = Date.now();
  vi.spyOn(performance, 'now').mockImplementation(() => base + (Date.now() - startedAt));
  await sleep(5);
}
