import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryUserIdStore, type UserIdEntry } from '../../src/session/user-id-store';
import { FakeClock, harness, serviceAccountBundle, settle } from '../helpers/fake-services';

const JON = '0003BFFD8F3A5B21';
const JON_ID = '6a2c1e0b-0000-4000-8000-0000000000a1';

// The service account's keys and certificates are made once per file: seconds on a loaded machine.
beforeAll(() => {
  serviceAccountBundle();
}, 60_000);

describe('CrmSession userIdStore: null (the caller keeps the PUID mapping itself)', () => {
  it('asks discovery on every resolveUserId: nothing is cached in the session', async () => {
    const h = harness({ userIdStore: null });
    await expect(h.session.resolveUserId(JON)).resolves.toBe(JON_ID);
    await expect(h.session.resolveUserId(JON)).resolves.toBe(JON_ID);
    expect(h.discovery.calls.userId).toBe(2);
  });

  it('does not cache a "no such user" answer either', async () => {
    const h = harness({ userIdStore: null });
    await expect(h.session.resolveUserId('00000000DEADBEEF')).rejects.toMatchObject({
      code: 'ERR_CRM_OBJECT_NOT_FOUND',
    });
    h.discovery.users.set('00000000DEADBEEF', 'b1b1b1b1-0000-4000-8000-000000000001');
    await expect(h.session.resolveUserId('00000000DEADBEEF')).resolves.toBe(
      'b1b1b1b1-0000-4000-8000-000000000001',
    );
  });

  it('still shares one lookup between concurrent calls for the same PUID', async () => {
    const h = harness({ userIdStore: null });
    const both = Promise.all([h.session.resolveUserId(JON), h.session.resolveUserId(JON.toLowerCase())]);
    await settle();
    await expect(both).resolves.toEqual([JON_ID, JON_ID]);
    expect(h.discovery.calls.userId).toBe(1);
  });

  it('writes each answer through a supplied store with get and set only (no delete in the contract)', async () => {
    const written: Array<[string, UserIdEntry]> = [];
    const clock = new FakeClock();
    const inner = new MemoryUserIdStore({ clock: clock.read });
    const h = harness(
      {
        userIdStore: {
          get: (puid) => inner.get(puid),
          set: async (puid, entry) => {
            written.push([puid, entry]);
            await inner.set(puid, entry);
          },
        },
      },
      { clock },
    );
    await h.session.resolveUserId(JON.toLowerCase());
    await h.session.resolveUserId(JON);
    expect(written).toEqual([[JON, { userId: JON_ID, expiresAt: expect.any(Number) }]]);
    expect(h.discovery.calls.userId).toBe(1);
    expect('delete' in inner).toBe(false);
  });
});
