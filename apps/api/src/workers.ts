import cluster, { type Worker } from 'node:cluster';
import { type AddressInfo, createServer } from 'node:net';

/** More unexpected worker exits than this within RESTART_WINDOW_MS: something is wrong, the primary gives up. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
/** How long a stopping worker gets to finish its requests and close before it is killed. */
const STOP_GRACE_MS = 15_000;

/**
 * The primary of ONBEHALF_API_WORKERS: starts `count` API processes on the one port (node:cluster hands each
 * new connection to one of them in turn) and keeps them running. Each worker is an instance as
 * docs/operations.md §5 describes: its own connection pool and jobs, everything shared through Postgres.
 *
 * - The first worker starts alone: it applies the migrations and creates the first admin; the others start
 *   once it listens (they would wait on the same advisory locks anyway, but its output comes first).
 * - A worker that exits unexpectedly is replaced, at most MAX_RESTARTS times a minute; past that the
 *   primary stops the rest and exits 1, so a supervisor (systemd, Kubernetes) sees the failure.
 * - SIGINT or SIGTERM is passed to every worker, which finish their requests and close; the primary exits
 *   0 when all have exited cleanly.
 * Resolves once every worker listens; rejects when one exits before listening at start-up.
 */
export async function superviseWorkers(
  count: number,
  { port, host, instanceId }: { port: number; host: string; instanceId: string },
): Promise<void> {
  // Port 0 would give each process a random port of its own: pick one for all of them.
  const shared = port === 0 ? await freePort(host) : port;
  console.log(`onbehalf-api: starting ${count} API processes on one port (ONBEHALF_API_WORKERS=${count})`);
  let stopping = false;
  const restarts: number[] = [];
  // Processes that have listened, with their slot: one of these exiting is replaced in its slot; one exiting
  // before it listens is a failed start.
  const listened = new Map<Worker, number>();

  // Each slot is an instance with an id of its own (`<id>/<slot>`), kept by the process that replaces it, so that
  // keyed writes it left in flight are taken over at once (docs/operations.md §5, instance ids).
  const fork = (slot: number): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork({
        ONBEHALF_API_PORT: String(shared),
        ONBEHALF_INSTANCE_ID: `${instanceId.slice(0, 96)}/${slot}`,
      });
      const early = (code: number | null, signal: string | null) =>
        reject(new Error(`an API process exited (${signal ?? `code ${code}`}) before it listened`));
      worker.once('exit', early);
      worker.once('listening', () => {
        listened.set(worker, slot);
        worker.off('exit', early);
        resolve(worker);
      });
    });

  const stopAll = (signal: NodeJS.Signals, exitCode: number) => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (workers.length === 0) process.exit(exitCode);
    let clean = true;
    let left = workers.length;
    for (const w of workers) {
      const kill = setTimeout(() => w.process.kill('SIGKILL'), STOP_GRACE_MS);
      w.once('exit', (code, sig) => {
        clearTimeout(kill);
        // Ended by the very signal it was sent (a process still starting has no handler for it yet) is a clean stop;
        // any other code or signal, the grace period's SIGKILL included, is not.
        if (sig ? sig !== signal : code !== 0) clean = false;
        left -= 1;
        if (left === 0) process.exit(clean ? exitCode : exitCode || 1);
      });
      w.process.kill(signal);
    }
  };
  process.on('SIGINT', () => {
    if (!stopping) stopAll('SIGINT', 0);
  });
  process.on('SIGTERM', () => {
    if (!stopping) stopAll('SIGTERM', 0);
  });

  // Starts a process in `slot` after `what` happened to the one before; a replacement that fails to start is one
  // more restart of the same slot, so the limit also ends a slot that can no longer start.
  const replace = (slot: number, what: string): void => {
    const now = Date.now();
    while (restarts.length > 0 && (restarts[0] ?? 0) < now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length >= MAX_RESTARTS) {
      console.error(`onbehalf-api: ${what}; ${MAX_RESTARTS} restarts in the last minute already, stopping`);
      stopAll('SIGTERM', 1);
      return;
    }
    restarts.push(now);
    console.error(`onbehalf-api: ${what}; starting another`);
    fork(slot).catch((err: unknown) => {
      if (!stopping) replace(slot, err instanceof Error ? err.message : String(err));
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const slot = listened.get(worker);
    if (stopping || slot === undefined) return;
    listened.delete(worker);
    replace(slot, `API process ${worker.process.pid} exited (${signal ?? `code ${code}`})`);
  });

  try {
    await fork(1);
    await Promise.all(Array.from({ length: count - 1 }, (_, k) => fork(k + 2)));
  } catch (err) {
    if (!stopping) stopAll('SIGTERM', 1);
    throw err;
  }
}

/** A free TCP port on `host`, found by listening on port 0 and closing. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
