import { DEMO_ENTRA, DEMO_IDS } from '@onbehalf/emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DataverseSession } from '../../src/dataverse/dataverse-session';
import { CrmSession } from '../../src/session/crm-session';
import type { OnBehalfOf, OrgSession } from '../../src/session/org-session';
import { startTestEmulator, type EmulatorHarness } from '../helpers/emulator-harness';

// One contract, both platforms: the calls the API makes through OrgSession, against the emulator over HTTPS.

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

interface Platform {
  name: string;
  open(extra?: { applicationUser?: { userId?: string; entraObjectId?: string } }): OrgSession;
  serviceAccount: string;
  jon: string;
  /** Jon as each form of onBehalfOf the platform takes. */
  jonAs: OnBehalfOf[];
  /** The form the other platform takes, refused here before anything is sent. */
  foreign: OnBehalfOf;
  /** Requests the session has sent (a first call starts with a ticket or a token). */
  sent(s: OrgSession): Promise<number>;
}

const platforms: Platform[] = [
  {
    name: 'CRM 4.0 (CrmSession)',
    open: () =>
      new CrmSession({
        discoveryUrl: h.emulator.discoveryUrl,
        stsUrl: h.emulator.stsUrl,
        friendlyName: 'Contoso Ltd',
        certificate: h.demoBundle,
        ca: [h.emulator.caCertPem],
        timeoutMs: 10_000,
      }),
    get serviceAccount() {
      return DEMO_IDS.erpInContoso;
    },
    jon: DEMO_IDS.jonWilson,
    jonAs: [{ puid: '0003BFFD8F3A5B21' }, { userId: DEMO_IDS.jonWilson }],
    foreign: { entraObjectId: DEMO_ENTRA.jonObjectId },
    sent: async () => (await h.emulator.control.counts()).total,
  },
  {
    name: 'Dataverse (DataverseSession)',
    open: (extra = {}) =>
      new DataverseSession({
        authorityUrl: h.emulator.entra.authorityUrl,
        tenant: h.emulator.entra.tenantDomain,
        clientId: h.emulator.entra.clientId,
        certificate: h.demoBundle,
        environmentUrl: h.emulator.entra.environmentUrl,
        ca: [h.emulator.caCertPem],
        timeoutMs: 10_000,
        ...extra,
      }),
    serviceAccount: DEMO_IDS.dvAppUser,
    jon: DEMO_IDS.dvJonWilson,
    jonAs: [{ entraObjectId: DEMO_ENTRA.jonObjectId }, { userId: DEMO_IDS.dvJonWilson }],
    foreign: { puid: '0003BFFD8F3A5B21' },
    // The emulator counts the SOAP endpoints only; a first Dataverse call starts with a token request.
    sent: async (s) => (s as DataverseSession).getState().tokenRefreshes,
  },
];

describe.each(platforms)('OrgSession on $name against the emulator', { timeout: 30_000 }, (p) => {
  it('says which platform it is, and WhoAmI answers the service account of the org', async () => {
    const s = p.open();
    try {
      expect(s.platform).toBe(p.name.startsWith('CRM') ? 'crm4' : 'dataverse');
      expect((await s.whoAmI()).userId).toBe(p.serviceAccount);
    } finally {
      await s.close();
    }
  });

  it('creates on behalf of Jon (each form it takes) a record with text and a reference, read back with the stamps as references: createdby Jon, createdonbehalfby the service account', async () => {
    const s = p.open();
    try {
      const parent = await s.createRecord({ entity: 'account', fields: { name: 'Parent Co' } });
      for (const onBehalfOf of p.jonAs) {
        const { id } = await s.createRecord(
          {
            entity: 'account',
            fields: {
              name: 'Tailspin',
              telephone1: '555-0100',
              parentaccountid: { id: parent.id, type: 'account' },
            },
          },
          { onBehalfOf },
        );
        const read = await s.retrieveRecord({
          entity: 'account',
          id,
          columns: ['name', 'telephone1', 'parentaccountid', 'createdby', 'createdonbehalfby'],
        });
        expect(read).toMatchObject({
          entity: 'account',
          id,
          fields: {
            name: 'Tailspin',
            telephone1: '555-0100',
            parentaccountid: { id: parent.id, type: 'account' },
            createdby: { id: p.jon, type: 'systemuser', name: 'Jon Wilson' },
            createdonbehalfby: { id: p.serviceAccount, type: 'systemuser' },
          },
        });
      }
    } finally {
      await s.close();
    }
  });

  it('updates a record on behalf of Jon: the new value reads back, and deleting it makes a read fail as not found', async () => {
    const s = p.open();
    try {
      const { id } = await s.createRecord({ entity: 'account', fields: { name: 'Before' } });
      await s.updateRecord({ entity: 'account', id, fields: { name: 'After' } }, { onBehalfOf: p.jonAs[1] });
      const read = await s.retrieveRecord({ entity: 'account', id, columns: ['name', 'modifiedby'] });
      expect(read.fields).toMatchObject({ name: 'After', modifiedby: { id: p.jon, type: 'systemuser' } });
      await s.deleteRecord({ entity: 'account', id });
      await expect(s.retrieveRecord({ entity: 'account', id, columns: ['name'] })).rejects.toMatchObject({
        code: 'ERR_CRM_OBJECT_NOT_FOUND',
      });
    } finally {
      await s.close();
    }
  });

  it("refuses the other platform's form of onBehalfOf before sending anything (ERR_INVALID_OPTIONS)", async () => {
    const s = p.open();
    try {
      await expect(
        s.createRecord({ entity: 'account', fields: { name: 'x' } }, { onBehalfOf: p.foreign }),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
      await expect(
        s.createRecord(
          { entity: 'account', fields: { name: 'x' } },
          { onBehalfOf: { userId: p.jon, puid: 'x' } as unknown as OnBehalfOf },
        ),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
      expect(await p.sent(s)).toBe(0);
    } finally {
      await s.close();
    }
  });
});
