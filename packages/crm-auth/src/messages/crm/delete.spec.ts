import { describe, expect, it } from 'vitest';
import { fixtureJson, fixtureXml, thrown, TOKEN, toSoap12 } from '../../../test/fixtures-helpers';
import { decodeMessage } from '../decode';
import { buildDeleteRequest, parseDeleteResponse } from './delete';

describe('Delete', () => {
  it('builds exactly the fixture request', () => {
    const req = buildDeleteRequest(TOKEN, {
      entityName: 'account',
      id: 'E7B9D2F1-3C4A-4B5D-8E6F-0A1B2C3D4E5F',
    });
    expect(req.xml).toBe(fixtureXml('crm', 'delete-account-request'));
    expect(req.soapAction).toBe('http://schemas.microsoft.com/crm/2007/WebServices/Delete');
    expect(decodeMessage(req.xml)).toEqual(fixtureJson('crm', 'delete-account-request'));
  });

  it('parses the empty response in SOAP 1.1 and 1.2', () => {
    const xml = fixtureXml('crm', 'delete-account-response');
    expect(parseDeleteResponse(xml)).toEqual({});
    expect(parseDeleteResponse(toSoap12(xml))).toEqual({});
  });

  it('maps OrganizationDisabled and UserDisabled to their codes', () => {
    const fault = fixtureXml('crm', 'fault-privilege-denied');
    expect(thrown(() => parseDeleteResponse(fault.replace('0x80040220', '0x8004A104'))).code).toBe(
      'ERR_CRM_ORG_DISABLED',
    );
    expect(thrown(() => parseDeleteResponse(fault.replace('0x80040220', '0x80040225'))).code).toBe(
      'ERR_CRM_USER_DISABLED',
    );
  });
});
