import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CrmSession } from '../../src/session/crm-session';
import { startTestEmulator, type EmulatorHarness } from '../helpers/emulator-harness';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await startTestEmulator();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

beforeEach(async () => {
  await h.emulator.control.reset();
});

function session(connections?: number): CrmSession {
  return new CrmSession({
    discoveryUrl: h.emulator.discoveryUrl,
    stsUrl: h.emulator.stsUrl,
    organizationName: 'contoso',
    certificate: h.demoBundle,
    ca: [h.emulator.caCertPem],
    ...(connections !== undefined ? { connections } : {}),
  });
}

/** Sends `n` concurrent WhoAmIs while the emulator holds WhoAmI calls until `n` have arrived (or 1.5 s pass). */
async function heldTogether(s: CrmSession, n: number) {
  await s.whoAmI(); // tickets first, so that only the CrmService calls are counted
  h.emulator.control.armBarrier({ operation: 'WhoAmI', count: n, then: 'none', timeoutMs: 1500 });
  await Promise.all(Array.from({ length: n }, () => s.whoAmI()));
  return h.emulator.control.barrier()!;
}

describe('the session opens `connections` connections to a CrmService', { timeout: 30_000 }, () => {
  it('has 40 calls at CrmService at once with connections 48, but only 32 with the default', async () => {
    const wide = session(48);
    expect(await heldTogether(wide, 40)).toMatchObject({ arrived: 40, state: 'released' });
    await wide.close();
    const narrow = session();
    const status = await heldTogether(narrow, 40);
    expect(status.state).toBe('timed-out');
    await narrow.close();
  });

  it.each([0, 1.5, 4097, '8'])('refuses connections %o', (connections) => {
    expect(() => session(connections as number)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', message: expect.stringMatching(/connections/) }),
    );
  });
});
