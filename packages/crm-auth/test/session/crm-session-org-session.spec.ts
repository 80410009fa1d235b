import { beforeAll, describe, expect, it } from 'vitest';
import type { OnBehalfOf } from '../../src/session/org-session';
import { harness, serviceAccountBundle } from '../helpers/fake-services';

const JON_PUID = '0003BFFD8F3A5B21';
const JON = '6a2c1e0b-0000-4000-8000-0000000000a1'; // FakeDiscovery's user for that PUID
const ID = '4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d6e80';
const invalid = expect.objectContaining({ code: 'ERR_INVALID_OPTIONS' });

beforeAll(() => {
  serviceAccountBundle();
}, 60_000);

describe('CrmSession as an OrgSession (CRM 4.0)', () => {
  it("is the crm4 platform, and acts for a PUID's user (looked up once), a userId, or the service account", async () => {
    const h = harness();
    expect(h.session.platform).toBe('crm4');
    await h.session.createRecord(
      { entity: 'account', fields: { name: 'a' } },
      { onBehalfOf: { puid: JON_PUID } },
    );
    await h.session.createRecord(
      { entity: 'account', fields: { name: 'b' } },
      { onBehalfOf: { puid: JON_PUID.toLowerCase() } },
    );
    await h.session.createRecord(
      { entity: 'account', fields: { name: 'c' } },
      { onBehalfOf: { userId: `{${ID.toUpperCase()}}` } },
    );
    await h.session.createRecord({ entity: 'account', fields: { name: 'd' } });
    expect(h.crm.tokens.map((t) => t.callerId ?? null)).toEqual([JON, JON, ID, null]);
    expect(h.discovery.calls.userId).toBe(1);
  });

  it('sends a record as CRM 4.0 text: numbers and yes/no as text, a reference as a lookup', async () => {
    const h = harness();
    const { id } = await h.session.createRecord({
      entity: 'account',
      fields: {
        name: 'Tailspin',
        numberofemployees: 12,
        donotemail: true,
        parentaccountid: { id: ID, type: 'account' },
      },
    });
    expect(id).toMatch(/^00000000-0000-4000-8000-/);
    expect(h.crm.sent.at(-1)).toEqual({
      op: 'create',
      entity: {
        logicalName: 'account',
        attributes: {
          name: 'Tailspin',
          numberofemployees: '12',
          donotemail: 'true',
          parentaccountid: { id: ID, type: 'account' },
        },
      },
    });
  });

  it('updates by naming the record in its primary key attribute (<entity>id), the id normalised', async () => {
    const h = harness();
    await h.session.updateRecord(
      { entity: 'contact', id: `{${ID.toUpperCase()}}`, fields: { lastname: 'Wilson' } },
      { onBehalfOf: { userId: ID } },
    );
    expect(h.crm.sent.at(-1)).toEqual({
      op: 'update',
      entity: { logicalName: 'contact', attributes: { lastname: 'Wilson', contactid: ID } },
    });
    expect(h.crm.tokens.at(-1)?.callerId).toBe(ID);
    await expect(h.session.updateRecord({ entity: 'contact', id: 'nope', fields: {} })).rejects.toThrow(
      invalid,
    );
    expect(h.crm.calls.update).toBe(1);
  });

  it('retrieves the named columns and reads the record back with its id normalised', async () => {
    const h = harness();
    const read = await h.session.retrieveRecord({
      entity: 'account',
      id: `{${ID.toUpperCase()}}`,
      columns: ['name', 'accountid'],
    });
    expect(h.crm.sent.at(-1)).toEqual({
      op: 'retrieve',
      args: { entityName: 'account', id: `{${ID.toUpperCase()}}`, columns: ['name', 'accountid'] },
    });
    expect(read).toEqual({ entity: 'account', id: ID, fields: { accountid: `{${ID.toUpperCase()}}` } });
    await expect(h.session.retrieveRecord({ entity: 'account', id: ID, columns: [] })).rejects.toThrow(
      invalid,
    );
    await expect(h.session.retrieveRecord({ entity: 'account', id: ID, columns: ['Bad'] })).rejects.toThrow(
      invalid,
    );
    await expect(h.session.retrieveRecord({ entity: 'Account', id: ID, columns: ['name'] })).rejects.toThrow(
      invalid,
    );
    await expect(
      h.session.retrieveRecord({ entity: 'account', id: ID, columns: 'all' as unknown as string[] }),
    ).rejects.toThrow(invalid);
    expect(h.crm.calls.retrieve).toBe(1);
  });

  it('deletes one record on behalf of a user', async () => {
    const h = harness();
    await h.session.deleteRecord({ entity: 'lead', id: ID }, { onBehalfOf: { puid: JON_PUID } });
    expect(h.crm.sent.at(-1)).toEqual({ op: 'delete', entityName: 'lead', id: ID });
    expect(h.crm.tokens.at(-1)?.callerId).toBe(JON);
    await expect(h.session.deleteRecord({ entity: 'Lead', id: ID })).rejects.toThrow(invalid);
  });

  it('refuses, before sending anything: an Entra object id, callerId with onBehalfOf, the empty GUID as userId, an unknown form', async () => {
    const h = harness();
    const create = (options: object) =>
      h.session.createRecord(
        { entity: 'account', fields: { name: 'x' } },
        options as { onBehalfOf?: OnBehalfOf },
      );
    await expect(create({ onBehalfOf: { entraObjectId: ID } })).rejects.toThrow(
      /CRM 4.0 has no Entra object ids/,
    );
    await expect(create({ onBehalfOf: { userId: ID }, callerId: ID })).rejects.toThrow(
      /callerId or onBehalfOf, not both/,
    );
    await expect(create({ onBehalfOf: { userId: '00000000-0000-0000-0000-000000000000' } })).rejects.toThrow(
      /other than the empty one/,
    );
    await expect(create({ onBehalfOf: { userId: 'x' } })).rejects.toThrow(invalid);
    await expect(create({ onBehalfOf: { puid: 'x' } })).rejects.toThrow(invalid);
    await expect(create({ onBehalfOf: { name: 'x' } })).rejects.toThrow(invalid);
    expect(h.crm.calls.create).toBe(0);
    expect(h.discovery.calls.userId).toBe(0);
    // callerId alone, and a null callerId beside onBehalfOf, still work as before.
    await create({ callerId: ID });
    await create({ callerId: null, onBehalfOf: { userId: JON } });
    expect(h.crm.tokens.map((t) => t.callerId)).toEqual([ID, JON]);
  });

  it('fails a call on behalf of a PUID the org does not know with ERR_CRM_OBJECT_NOT_FOUND, sending no Create', async () => {
    const h = harness();
    await expect(
      h.session.createRecord(
        { entity: 'account', fields: { name: 'x' } },
        { onBehalfOf: { puid: '0003BFFD00000000' } },
      ),
    ).rejects.toMatchObject({ code: 'ERR_CRM_OBJECT_NOT_FOUND' });
    expect(h.crm.calls.create).toBe(0);
  });
});

describe('CrmSession refuses a malformed OrgSession call before sending, saying what is wrong', () => {
  const refusal = (message: RegExp) =>
    expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', message: expect.stringMatching(message) });

  it('retrieveRecord: no arguments, columns that are not a list or empty, a bad column or table name', async () => {
    const h = harness();
    const retrieve = (args: unknown) => h.session.retrieveRecord(args as never);
    await expect(retrieve(undefined)).rejects.toEqual(refusal(/^columns must name at least one column$/));
    await expect(retrieve({ entity: 'account', id: ID, columns: 'name' })).rejects.toEqual(
      refusal(/^columns must name at least one column$/),
    );
    await expect(retrieve({ entity: 'account', id: ID, columns: [] })).rejects.toEqual(
      refusal(/^columns must name at least one column$/),
    );
    await expect(retrieve({ entity: 'account', id: ID, columns: ['Bad'] })).rejects.toEqual(
      refusal(/^a column must be a logical name/),
    );
    await expect(retrieve({ entity: 'Account', id: ID, columns: ['name'] })).rejects.toEqual(
      refusal(/^entity must be a logical name/),
    );
    expect(h.crm.calls.retrieve).toBe(0);
  });

  it('updateRecord: an id that is not a GUID string (an array or a String object holding one too)', async () => {
    const h = harness();
    for (const id of ['nope', [ID], new String(ID), undefined])
      await expect(
        h.session.updateRecord({ entity: 'contact', id, fields: { lastname: 'Wilson' } } as never),
      ).rejects.toEqual(refusal(/^id must be a GUID$/));
    expect(h.crm.calls.update).toBe(0);
  });

  it('deleteRecord: no arguments, or a bad table name', async () => {
    const h = harness();
    await expect(h.session.deleteRecord(undefined as never)).rejects.toEqual(
      refusal(/^entity must be a logical name/),
    );
    await expect(h.session.deleteRecord({ entity: 'Lead', id: ID })).rejects.toEqual(
      refusal(/^entity must be a logical name/),
    );
    expect(h.crm.calls.delete).toBe(0);
  });
});
