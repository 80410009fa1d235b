import { describe, expect, it } from 'vitest';
import { entitySetOf, fromWebApiRecord, selectName, toWebApiBody } from '../../src/dataverse/web-api-records';
import { checkOnBehalfOf, fromCrmEntity, logicalName, toCrmEntity } from '../../src/session/org-records';
import type { OnBehalfOf } from '../../src/session/org-session';

const ID = '4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d6e80';
const invalid = expect.objectContaining({ code: 'ERR_INVALID_OPTIONS' });

describe('one record shape for both platforms', () => {
  it('writes a record for CRM 4.0 as text (numbers and yes/no too) and lookups with a lower-case id', () => {
    expect(
      toCrmEntity({
        entity: 'account',
        fields: {
          name: 'Tailspin',
          numberofemployees: 12,
          donotemail: true,
          donotfax: false,
          parentaccountid: { id: `{${ID.toUpperCase()}}`, type: 'account', name: 'ignored' },
        },
      }),
    ).toEqual({
      logicalName: 'account',
      attributes: {
        name: 'Tailspin',
        numberofemployees: '12',
        donotemail: 'true',
        donotfax: 'false',
        parentaccountid: { id: ID, type: 'account' },
      },
    });
  });

  it('writes a record for the Web API as JSON values, a reference as <column>@odata.bind to /<set>(<id>)', () => {
    expect(
      toWebApiBody({
        entity: 'opportunity',
        fields: {
          name: 'Deal',
          estimatedvalue: 1200.5,
          isrevenuesystemcalculated: false,
          parentaccountid: { id: ID, type: 'account' },
        },
      }),
    ).toEqual({
      entitySet: 'opportunities',
      body: {
        name: 'Deal',
        estimatedvalue: 1200.5,
        isrevenuesystemcalculated: false,
        'parentaccountid@odata.bind': `/accounts(${ID})`,
      },
    });
  });

  it('refuses what neither platform can carry: a bad table or column name, NaN, an array, null, a reference without a GUID', () => {
    const bad = [
      { entity: 'Account', fields: {} },
      { entity: 'account', fields: { 'bad-name': 'x' } },
      { entity: 'account', fields: { n: Number.NaN } },
      { entity: 'account', fields: { n: ['x'] } },
      { entity: 'account', fields: { n: null } },
      { entity: 'account', fields: { n: { id: 'nope', type: 'account' } } },
      { entity: 'account', fields: { n: { id: ID, type: 'Bad Type' } } },
      { entity: 'account', fields: ['x'] },
    ];
    for (const record of bad) {
      expect(() => toCrmEntity(record as never)).toThrow(invalid);
      expect(() => toWebApiBody(record as never)).toThrow(invalid);
    }
  });

  it('names entity sets as the Web API does: plural -s, -es after s/x/ch/sh, -ies after a consonant and y', () => {
    expect(
      [
        'account',
        'contact',
        'lead',
        'systemuser',
        'businessunit',
        'opportunity',
        'activityparty',
        'territory',
        'survey',
        'campaignresponse',
        'fax',
        'address',
        'batch',
        'wish',
      ].map(entitySetOf),
    ).toEqual([
      'accounts',
      'contacts',
      'leads',
      'systemusers',
      'businessunits',
      'opportunities',
      'activityparties',
      'territories',
      'surveys',
      'campaignresponses',
      'faxes',
      'addresses',
      'batches',
      'wishes',
    ]);
  });

  it('names the entity set of a table called like an Object.prototype member by the plural rule, not the prototype', () => {
    expect(entitySetOf('constructor')).toBe('constructors');
  });

  it('selects the standard lookups as _<column>_value and every other column by its name', () => {
    expect(
      [
        'name',
        'createdby',
        'createdonbehalfby',
        'modifiedby',
        'modifiedonbehalfby',
        'ownerid',
        'parentaccountid',
        '_custom_value',
      ].map(selectName),
    ).toEqual([
      'name',
      '_createdby_value',
      '_createdonbehalfby_value',
      '_modifiedby_value',
      '_modifiedonbehalfby_value',
      '_ownerid_value',
      '_parentaccountid_value',
      '_custom_value',
    ]);
    expect(() => selectName('Name')).toThrow(invalid);
  });

  it('reads a Web API record back as the asked columns: a lookup from its value and annotations, a null column left out', () => {
    const body = {
      accountid: ID,
      name: 'Tailspin',
      numberofemployees: 12,
      donotemail: false,
      description: null,
      telephone1: '555',
      _createdby_value: ID.toUpperCase(),
      '_createdby_value@OData.Community.Display.V1.FormattedValue': 'Jon Wilson',
      '_createdby_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'systemuser',
      _createdonbehalfby_value: null,
      _ownerid_value: ID,
    };
    expect(
      fromWebApiRecord('account', ID, body, [
        'name',
        'numberofemployees',
        'donotemail',
        'description',
        'createdby',
        'createdonbehalfby',
        'ownerid',
      ]),
    ).toEqual({
      entity: 'account',
      id: ID,
      fields: {
        name: 'Tailspin',
        numberofemployees: 12,
        donotemail: false,
        createdby: { id: ID, type: 'systemuser', name: 'Jon Wilson' },
      },
    });
  });

  it('reads a CRM 4.0 record back as text and lookups, leaving out activity-party lists', () => {
    expect(
      fromCrmEntity(
        {
          logicalName: 'email',
          attributes: {
            subject: 'Hi',
            regardingobjectid: { id: ID, type: 'account', name: 'A' },
            to: [{ partyid: { id: ID, type: 'contact' } }],
          },
        },
        ID,
      ),
    ).toEqual({
      entity: 'email',
      id: ID,
      fields: { subject: 'Hi', regardingobjectid: { id: ID, type: 'account', name: 'A' } },
    });
  });

  it("refuses the other platform's onBehalfOf, and any object that is not exactly one of the three forms", () => {
    expect(checkOnBehalfOf('crm4', { puid: 'p' })).toEqual({ puid: 'p' });
    expect(checkOnBehalfOf('dataverse', { entraObjectId: ID })).toEqual({ entraObjectId: ID });
    expect(checkOnBehalfOf('crm4', { userId: ID })).toEqual({ userId: ID });
    expect(checkOnBehalfOf('dataverse', { userId: ID })).toEqual({ userId: ID });
    expect(checkOnBehalfOf('crm4', undefined)).toBeUndefined();
    expect(() => checkOnBehalfOf('crm4', { entraObjectId: ID })).toThrow(/CRM 4.0 has no Entra object ids/);
    expect(() => checkOnBehalfOf('dataverse', { puid: 'p' })).toThrow(/Dataverse has no Windows Live PUIDs/);
    for (const bad of [null, 'x', {}, { userId: ID, puid: 'p' }, { name: 'x' }])
      expect(() => checkOnBehalfOf('crm4', bad as unknown as OnBehalfOf)).toThrow(invalid);
  });
});

describe('what a refused record is told (ERR_INVALID_OPTIONS naming the part at fault, never a TypeError)', () => {
  const refusal = (message: RegExp) =>
    expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', message: expect.stringMatching(message) });
  const refused = (record: unknown) => {
    try {
      toCrmEntity(record as never);
    } catch (err) {
      return err;
    }
    return 'accepted';
  };

  it('refuses a record that is not an object, naming the record', () => {
    for (const record of [null, undefined, 'account', 12])
      expect(refused(record)).toEqual(refusal(/^the record must be an object$/));
  });

  it('refuses a logical name that is not a string, even one whose text would pass (undefined, null, [name])', () => {
    for (const value of [undefined, null, ['account'], 12])
      expect(() => logicalName(value, 'entity')).toThrow(
        refusal(/^entity must be a logical name \(lower case letters, digits, _\)$/),
      );
    expect(refused({ fields: {} })).toEqual(refusal(/^entity must be a logical name/));
    expect(refused({ entity: 'Account', fields: {} })).toEqual(refusal(/^entity must be a logical name/));
    expect(refused({ entity: 'account', fields: { 'bad-name': 'x' } })).toEqual(
      refusal(/^a column name must be a logical name/),
    );
  });

  it('refuses fields that are not a plain object: missing, null, a number, text, an array (empty or not)', () => {
    for (const fields of [undefined, null, 5, 'name', [], ['x']])
      expect(refused({ entity: 'account', fields })).toEqual(
        refusal(/^fields must be an object of column → value$/),
      );
  });

  it('refuses a column value neither platform carries (undefined, NaN, an array, null), naming the column', () => {
    for (const value of [undefined, Number.NaN, Number.POSITIVE_INFINITY, ['x'], null])
      expect(refused({ entity: 'account', fields: { n: value } })).toEqual(
        refusal(/^n must be text, a finite number, true\/false or a reference \{id, type\}$/),
      );
  });

  it('refuses a reference whose id is not a GUID string (an array or a String object holding one too), naming the column', () => {
    for (const id of ['nope', [ID], new String(ID), undefined])
      expect(refused({ entity: 'account', fields: { parentaccountid: { id, type: 'account' } } })).toEqual(
        refusal(/^parentaccountid: a reference needs a GUID id$/),
      );
    expect(refused({ entity: 'account', fields: { parentaccountid: { id: ID, type: 'Bad Type' } } })).toEqual(
      refusal(/^parentaccountid: the reference's type must be a logical name/),
    );
  });

  it('tells a non-object onBehalfOf apart from an object of the wrong shape', () => {
    for (const bad of ['x', 'puid', 5, null])
      expect(() => checkOnBehalfOf('crm4', bad as unknown as OnBehalfOf)).toThrow(
        refusal(/^onBehalfOf must be \{ puid \}, \{ userId \} or \{ entraObjectId \}$/),
      );
    for (const bad of [{}, { userId: ID, puid: 'p' }, { name: 'x' }])
      expect(() => checkOnBehalfOf('dataverse', bad as unknown as OnBehalfOf)).toThrow(
        refusal(/^onBehalfOf must be exactly one of \{ puid \}, \{ userId \} or \{ entraObjectId \}$/),
      );
  });
});
