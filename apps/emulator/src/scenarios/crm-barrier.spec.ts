import { afterEach, describe, expect, it, vi } from 'vitest';
import { CrmBarrier, type BarrierThen } from './crm-barrier';
import { ControlInputError } from './scenario.engine';

/** A barrier whose releases (its `then` and org) are recorded. */
function barrier(): { b: CrmBarrier; releases: Array<{ then: BarrierThen; org?: string }>; ran: string[] } {
  const ran: string[] = [];
  const releases: Array<{ then: BarrierThen; org?: string }> = [];
  const b = new CrmBarrier((then, org) => releases.push({ then, ...(org ? { org } : {}) }));
  return { b, releases, ran };
}

/** Lets every settled promise's reactions run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.useRealTimers();
});

describe('CrmBarrier', () => {
  it('holds calls of its operation until count have arrived, runs then once, and only then releases them all', async () => {
    const { b, releases, ran } = barrier();
    b.arm({ operation: 'Create', count: 3, then: 'expire-tickets', org: 'Contoso' });
    const first = b.hold('Create')!.then(() => ran.push('1'));
    const second = b.hold('Create')!.then(() => ran.push('2'));
    await flush();
    expect(ran).toEqual([]);
    expect(releases).toEqual([]);
    expect(b.status()).toMatchObject({ arrived: 2, state: 'waiting' });
    const third = b.hold('Create')!.then(() => ran.push('3'));
    await Promise.all([first, second, third]);
    expect(ran.sort()).toEqual(['1', '2', '3']);
    expect(releases).toEqual([{ then: 'expire-tickets', org: 'contoso' }]);
    expect(b.status()).toMatchObject({ operation: 'Create', count: 3, arrived: 3, state: 'released' });
    expect(b.status()?.releasedAt).toEqual(expect.any(String));
  });

  it('lets other operations, and every call after the release, run at once (no promise to wait for)', () => {
    const { b } = barrier();
    expect(b.hold('Create')).toBeUndefined();
    b.arm({ operation: 'Create', count: 1 });
    expect(b.hold('Retrieve')).toBeUndefined();
    expect(b.hold('Create')).toBeInstanceOf(Promise);
    expect(b.hold('Create')).toBeUndefined();
    expect(b.status()).toMatchObject({ arrived: 1, state: 'released', then: 'none' });
  });

  it('releases the held calls after timeoutMs, runs then, and reports timed-out with the number held', async () => {
    vi.useFakeTimers();
    const { b, releases } = barrier();
    b.arm({ operation: 'Create', count: 500, then: 'expire-tickets', timeoutMs: 2_000 });
    let released = 0;
    const held = [b.hold('Create'), b.hold('Create')].map((p) => p!.then(() => (released += 1)));
    vi.advanceTimersByTime(1_999);
    await Promise.resolve();
    expect(released).toBe(0);
    vi.advanceTimersByTime(1);
    await Promise.all(held);
    expect(released).toBe(2);
    expect(releases).toEqual([{ then: 'expire-tickets' }]);
    expect(b.status()).toMatchObject({ arrived: 2, count: 500, state: 'timed-out' });
  });

  it('cancel releases the held calls without running then; clear forgets the barrier', async () => {
    const { b, releases } = barrier();
    b.arm({ operation: 'Create', count: 5, then: 'expire-tickets' });
    const held = b.hold('Create')!;
    b.cancel();
    await held;
    expect(releases).toEqual([]);
    expect(b.status()?.state).toBe('cancelled');
    b.clear();
    expect(b.status()).toBeUndefined();
  });

  it('refuses a second barrier while one waits, and one that is armed again after it is released', () => {
    const { b } = barrier();
    b.arm({ operation: 'Create', count: 2 });
    expect(() => b.arm({ operation: 'Create', count: 2 })).toThrow(/already waiting/);
    b.cancel();
    expect(b.arm({ operation: 'Update', count: 2 })).toMatchObject({
      operation: 'Update',
      state: 'waiting',
      arrived: 0,
    });
    b.clear();
  });

  it.each([
    [{ count: 2 }, /operation/],
    [{ operation: 'Create; drop', count: 2 }, /operation/],
    [{ operation: 'Create' }, /count/],
    [{ operation: 'Create', count: 0 }, /count/],
    [{ operation: 'Create', count: 1.5 }, /count/],
    [{ operation: 'Create', count: '500' }, /count/],
    [{ operation: 'Create', count: 2, then: 'expire' }, /then/],
    [{ operation: 'Create', count: 2, timeoutMs: 0 }, /timeoutMs/],
    [{ operation: 'Create', count: 2, timeoutMs: 120_001 }, /timeoutMs/],
    [{ operation: 'Create', count: 2, org: 7 }, /org/],
  ])('refuses %j as a control input error', (input, message) => {
    const { b } = barrier();
    expect(() => b.arm(input)).toThrow(ControlInputError);
    expect(() => b.arm(input)).toThrow(message);
    expect(b.status()).toBeUndefined();
  });
});
