import { PassThrough } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PkiStore } from '../pki/pki.store';
import { CallCounter } from '../scenarios/call.counter';
import { ScenarioEngine } from '../scenarios/scenario.engine';
import { DEMO_IDS, demoSeed } from '../state/demo-seed';
import { StateStore } from '../state/state.store';
import { handleControl } from './control-api.handler';
import { createEmulatorControl, type EmulatorControl } from './emulator.control';

const seed = () =>
  demoSeed({ thumbprint: 'AA'.repeat(20), serialHex: '01', notAfter: '2099-01-01T00:00:00Z' });
const FOURTH_COFFEE = { org: 'contoso', entity: 'account', id: DEMO_IDS.fourthCoffee };

async function control(): Promise<{ c: EmulatorControl; store: StateStore }> {
  const { store } = await StateStore.open(undefined, seed);
  const lifetimes = { crmTicketSec: 28800, passportTicketSec: 86400, rpsTicketSec: 600 };
  const c = createEmulatorControl({
    store,
    pki: {} as PkiStore,
    scenarios: new ScenarioEngine(store),
    counter: new CallCounter(),
    lifetimes,
    defaultLifetimes: { ...lifetimes },
    seed,
    earlyExpired: new Set(),
  });
  return { c, store };
}

/** One request through the HTTP control handler, from loopback. */
async function http(
  c: EmulatorControl,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const req = new PassThrough() as unknown as IncomingMessage & PassThrough;
  Object.assign(req, { method, socket: { remoteAddress: '127.0.0.1' } });
  (req as unknown as PassThrough).end(body === undefined ? '' : JSON.stringify(body));
  let status = 0;
  let text = '';
  const res = {
    writeHead(s: number) {
      status = s;
      return res;
    },
    end(t: string) {
      text = t;
    },
  } as unknown as ServerResponse;
  await handleControl(c, req, res, new URL(`https://localhost${path}`));
  return { status, json: JSON.parse(text) as Record<string, unknown> };
}

describe("control: records and users changed behind the client's back", () => {
  let c: EmulatorControl;
  let store: StateStore;
  beforeEach(async () => {
    ({ c, store } = await control());
  });

  it('rewrites the stamps a record carries: a user of the org, or null to clear; modifiedon becomes now', () => {
    const before = Date.now();
    const view = c.stampRecord(FOURTH_COFFEE, {
      createdby: DEMO_IDS.readOnlyUser,
      createdonbehalfby: null,
      modifiedonbehalfby: DEMO_IDS.jonWilson,
    });
    expect(view.attributes['createdby']).toEqual({
      id: DEMO_IDS.readOnlyUser,
      type: 'systemuser',
      name: 'Rita Reed',
    });
    expect(view.attributes['createdonbehalfby']).toBeUndefined();
    expect(view.attributes['modifiedonbehalfby']).toMatchObject({
      id: DEMO_IDS.jonWilson,
      name: 'Jon Wilson',
    });
    expect(Date.parse(String(view.attributes['modifiedon']))).toBeGreaterThanOrEqual(before);
    // What the CrmService reads is the same record.
    expect(c.records(FOURTH_COFFEE).find((r) => r.id === DEMO_IDS.fourthCoffee)).toEqual(view);
  });

  it('refuses a stamp naming no user of the org, an unknown stamp, and an unknown record', () => {
    expect(() => c.stampRecord(FOURTH_COFFEE, { createdby: DEMO_IDS.frankMiller })).toThrow(
      /user of contoso/,
    );
    expect(() => c.stampRecord(FOURTH_COFFEE, { name: 'x' } as never)).toThrow(/Unknown stamp name/);
    expect(() => c.stampRecord({ ...FOURTH_COFFEE, id: DEMO_IDS.lead }, {})).toThrow(/No account/);
    expect(() => c.stampRecord({ ...FOURTH_COFFEE, entity: 'nosuchentity' }, {})).toThrow(/No nosuchentity/);
    // No empty table was made for the wrong name.
    expect(store.records.get('contoso')?.has('nosuchentity')).toBe(false);
  });

  it('deletes a record and a user', () => {
    expect(c.deleteRecord(FOURTH_COFFEE).id).toBe(DEMO_IDS.fourthCoffee);
    expect(c.records(FOURTH_COFFEE).some((r) => r.id === DEMO_IDS.fourthCoffee)).toBe(false);
    expect(() => c.deleteRecord(FOURTH_COFFEE)).toThrow(/No account/);
    expect(c.deleteUser(DEMO_IDS.readOnlyUser).fullName).toBe('Rita Reed');
    expect(store.user(DEMO_IDS.readOnlyUser)).toBeUndefined();
    // The Live account stays: the person still signs in to Windows Live.
    expect(c.state().accounts.some((a) => a.puid === '0003BFFD2A7C4E10')).toBe(true);
    expect(() => c.deleteUser(DEMO_IDS.readOnlyUser)).toThrow(/No user/);
  });

  it('serves the same operations over HTTP: PATCH/DELETE /_control/records/:org/:entity/:id, DELETE /_control/users/:id', async () => {
    const path = `/_control/records/contoso/account/${DEMO_IDS.fourthCoffee.toUpperCase()}`;
    const patched = await http(c, 'PATCH', path, {
      modifiedby: DEMO_IDS.readOnlyUser,
      modifiedonbehalfby: null,
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({
      entity: 'account',
      id: DEMO_IDS.fourthCoffee,
      attributes: { modifiedby: { name: 'Rita Reed' } },
    });
    expect((await http(c, 'PATCH', path, { createdby: 'not-a-guid' })).status).toBe(400);
    expect((await http(c, 'DELETE', path)).status).toBe(200);
    expect((await http(c, 'DELETE', path)).status).toBe(404);
    expect((await http(c, 'DELETE', `/_control/users/${DEMO_IDS.jonWilson}`)).status).toBe(200);
    expect((await http(c, 'DELETE', `/_control/users/${DEMO_IDS.jonWilson}`)).status).toBe(404);
  });
});
