import { describe, expect, it } from 'vitest';
import { fixtureJson, fixtureXml, thrown, TOKEN, toSoap12 } from '../../../test/fixtures-helpers';
import { decodeMessage } from '../decode';
import type { Entity } from '../types';
import { buildCreateRequest, parseCreateResponse } from './create';

const WOODGROVE: Entity = {
  logicalName: 'account',
  attributes: {
    name: 'Woodgrove Bank',
    accountnumber: 'WB-10442',
    telephone1: '+1 425 555 0143',
    parentaccountid: { id: '8a6b3c2d-1e0f-4a5b-9c8d-7e6f5a4b3c2d', type: 'account' },
    primarycontactid: { id: '6d7e8f90-a1b2-4c3d-8e4f-5a6b7c8d9e0f', type: 'contact' },
  },
};

describe('Create', () => {
  it('builds exactly the impersonating fixture request, lookups as {GUID} with type', () => {
    const req = buildCreateRequest(TOKEN, { entity: WOODGROVE });
    expect(req.xml).toBe(fixtureXml('crm', 'create-account-request'));
    expect(req.soapAction).toBe('http://schemas.microsoft.com/crm/2007/WebServices/Create');
    expect(decodeMessage(req.xml)).toEqual(fixtureJson('crm', 'create-account-request'));
  });

  it('writes an activity-party list as activityparty elements, and decodes it back as the same list', () => {
    const email: Entity = {
      logicalName: 'email',
      attributes: {
        subject: 'Renewal',
        to: [
          { partyid: { id: '6d7e8f90-a1b2-4c3d-8e4f-5a6b7c8d9e0f', type: 'contact' } },
          { addressused: 'someone@fourth.example' },
        ],
      },
    };
    const req = buildCreateRequest(TOKEN, { entity: email });
    expect(req.xml.replace(/>\s+</g, '><')).toContain(
      '<to><activityparty><partyid type="contact">{6D7E8F90-A1B2-4C3D-8E4F-5A6B7C8D9E0F}</partyid></activityparty>',
    );
    expect(decodeMessage(req.xml).body).toEqual({ entity: email });
  });

  it('escapes markup in values so it stays data', () => {
    const entity: Entity = {
      logicalName: 'account',
      attributes: { name: '</name><ownerid type="systemuser">{x}</ownerid>&amp;' },
    };
    const req = buildCreateRequest(TOKEN, { entity });
    expect(decodeMessage(req.xml).body).toEqual({ entity });
  });

  it('refuses attribute names that would be markup, and lookups without a GUID', () => {
    const badName: Entity = { logicalName: 'account', attributes: { 'name><x': 'v' } };
    expect(thrown(() => buildCreateRequest(TOKEN, { entity: badName })).code).toBe('ERR_INVALID_OPTIONS');
    const badLookup: Entity = {
      logicalName: 'account',
      attributes: { parentaccountid: { id: 'nope', type: 'account' } },
    };
    expect(thrown(() => buildCreateRequest(TOKEN, { entity: badLookup })).code).toBe('ERR_INVALID_OPTIONS');
  });

  it('parses the fixture response as a lower-case id, also in SOAP 1.2 and from a braced id', () => {
    const xml = fixtureXml('crm', 'create-account-response');
    expect(parseCreateResponse(xml)).toEqual({ id: 'e7b9d2f1-3c4a-4b5d-8e6f-0a1b2c3d4e5f' });
    expect(parseCreateResponse(toSoap12(xml))).toEqual({ id: 'e7b9d2f1-3c4a-4b5d-8e6f-0a1b2c3d4e5f' });
    const braced = xml.replace(
      'e7b9d2f1-3c4a-4b5d-8e6f-0a1b2c3d4e5f',
      '{E7B9D2F1-3C4A-4B5D-8E6F-0A1B2C3D4E5F}',
    );
    expect(parseCreateResponse(braced)).toEqual({ id: 'e7b9d2f1-3c4a-4b5d-8e6f-0a1b2c3d4e5f' });
  });

  it('throws ERR_CRM_PRIVILEGE_DENIED when the service account lacks prvActOnBehalfOfAnotherUser', () => {
    const err = thrown(() => parseCreateResponse(fixtureXml('crm', 'fault-privilege-denied')));
    expect(err.code).toBe('ERR_CRM_PRIVILEGE_DENIED');
    expect(err.faultDescription).toContain('prvActOnBehalfOfAnotherUser');
    expect(err.notExecuted).toBe(true);
  });
});
