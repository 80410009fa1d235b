import { ControlInputError } from './scenario.engine';

/** What a barrier does at the moment it releases the calls it holds. */
export const BARRIER_THEN = ['expire-tickets', 'none'] as const;
export type BarrierThen = (typeof BARRIER_THEN)[number];

/** Input of `POST /_control/crm/barrier`. */
export interface BarrierInput {
  /** The CrmService operation to hold, as `/_control/counts` names it (Create, Retrieve, WhoAmI, …). */
  operation?: unknown;
  /** How many calls of that operation to hold before releasing them all together. */
  count?: unknown;
  /** At release: `expire-tickets` (every CRM ticket issued so far stops working, as tickets/expire) or `none`. */
  then?: unknown;
  /** The org whose tickets `expire-tickets` expires; all orgs without it. */
  org?: unknown;
  /** Released anyway (and reported as timed out) after this long; default 30 000 ms. */
  timeoutMs?: unknown;
}

/** `GET /_control/crm/barrier`: the barrier armed last, and what became of it. */
export interface BarrierStatus {
  operation: string;
  count: number;
  then: BarrierThen;
  org?: string;
  timeoutMs: number;
  /** Calls of the operation that reached the barrier (held, or released with the others). */
  arrived: number;
  /** `waiting` until released; `released` when `count` arrived; `timed-out` when the timeout released them. */
  state: 'waiting' | 'released' | 'timed-out' | 'cancelled';
  armedAt: string;
  releasedAt?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_TIMEOUT_MS = 120_000;
const MAX_COUNT = 100_000;

/**
 * Holds CrmService calls of one operation, before their ticket is checked, until `count` of them
 * have arrived; then runs its `then` (e.g. expires every CRM ticket) and lets them all run, so that
 * each one meets what the emulator answers at that moment (the real 0x8004A101 fault after an
 * expiry). One barrier at a time, one shot: calls after the release pass straight through. A timeout
 * releases the held calls (running `then` as well) and the status says so, so nothing hangs.
 */
export class CrmBarrier {
  #status: BarrierStatus | undefined;
  #held: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    /** Runs the barrier's `then` at release; returns nothing the barrier needs. */
    private readonly onRelease: (then: BarrierThen, org: string | undefined) => void,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Arms a barrier; refused while another one is still waiting. */
  arm(input: BarrierInput): BarrierStatus {
    if (this.#status?.state === 'waiting') {
      throw new ControlInputError('A barrier is already waiting; DELETE /_control/crm/barrier first');
    }
    const operation = input.operation;
    if (typeof operation !== 'string' || !/^[A-Za-z]{1,64}$/.test(operation)) {
      throw new ControlInputError('operation must be a CrmService operation name, e.g. Create');
    }
    const count = input.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
      throw new ControlInputError(`count must be a whole number between 1 and ${MAX_COUNT}`);
    }
    const then = input.then ?? 'none';
    if (!BARRIER_THEN.includes(then as BarrierThen)) {
      throw new ControlInputError(`then must be one of ${BARRIER_THEN.join(', ')}`);
    }
    const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (
      typeof timeoutMs !== 'number' ||
      !Number.isFinite(timeoutMs) ||
      timeoutMs < 1 ||
      timeoutMs > MAX_TIMEOUT_MS
    ) {
      throw new ControlInputError(`timeoutMs must be a number between 1 and ${MAX_TIMEOUT_MS}`);
    }
    if (input.org !== undefined && typeof input.org !== 'string') {
      throw new ControlInputError('org must be an org name');
    }
    const status: BarrierStatus = {
      operation,
      count,
      then: then as BarrierThen,
      timeoutMs,
      arrived: 0,
      state: 'waiting',
      armedAt: new Date().toISOString(),
    };
    if (typeof input.org === 'string') status.org = input.org.toLowerCase();
    this.#status = status;
    this.#timer = setTimeout(() => this.#release('timed-out'), timeoutMs);
    this.#timer.unref?.();
    return this.status() as BarrierStatus;
  }

  /** The barrier armed last (a copy), or undefined. */
  status(): BarrierStatus | undefined {
    return this.#status && { ...this.#status };
  }

  /**
   * For a CrmService call of `operation`: undefined when it may run now (the hot path: no barrier),
   * or a promise that settles when the barrier releases it.
   */
  hold(operation: string): Promise<void> | undefined {
    const s = this.#status;
    if (s === undefined || s.state !== 'waiting' || s.operation !== operation) return undefined;
    s.arrived += 1;
    const held = new Promise<void>((resolve) => this.#held.push(resolve));
    if (s.arrived >= s.count) this.#release('released');
    return held;
  }

  /** Releases the held calls without running `then` (reset, or DELETE). */
  cancel(): void {
    if (this.#status?.state === 'waiting') this.#release('cancelled');
  }

  /** Forgets the last barrier (after cancelling it if it still waits). */
  clear(): void {
    this.cancel();
    this.#status = undefined;
  }

  #release(state: 'released' | 'timed-out' | 'cancelled'): void {
    const s = this.#status;
    if (s === undefined || s.state !== 'waiting') return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    s.state = state;
    s.releasedAt = new Date().toISOString();
    if (state === 'timed-out') {
      this.log(
        `barrier: ${s.operation} timed out after ${s.timeoutMs} ms with ${s.arrived} of ${s.count} calls held; released them`,
      );
    }
    // `then` before the release: every held call is checked against the state it leaves.
    if (state !== 'cancelled') this.onRelease(s.then, s.org);
    const held = this.#held;
    this.#held = [];
    for (const resolve of held) resolve();
  }
}
