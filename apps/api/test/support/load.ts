/** The q-quantile (0..1) of a sample, nearest rank. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Runs `count` tasks with at most `concurrency` in flight; results in task order. */
export async function pool<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const out = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}

/** Calls `task` from `concurrency` workers until `ms` have passed. */
export async function forDuration(
  ms: number,
  concurrency: number,
  task: (worker: number, i: number) => Promise<void>,
): Promise<number> {
  const end = performance.now() + ms;
  let n = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      while (performance.now() < end) await task(w, n++);
    }),
  );
  return n;
}

/** Times one async call in milliseconds. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

/** Open-loop load: starts `task` every `intervalMs` whatever the replies, until stopped; stop() waits for those in flight. */
export function paced<T>(intervalMs: number, task: (i: number) => Promise<T>): { stop(): Promise<T[]> } {
  const inflight: Promise<T>[] = [];
  let i = 0;
  const timer = setInterval(() => inflight.push(task(i++)), intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      return Promise.all(inflight);
    },
  };
}
