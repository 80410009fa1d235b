import { describe, expect, it } from 'vitest';
import { fixtureJson, fixtureXml, thrown, TOKEN, toSoap12 } from '../../../test/fixtures-helpers';
import { decodeMessage } from '../decode';
import type { Entity } from '../types';
import { buildUpdateRequest, parseUpdateResponse } from './update';

describe('Update', () => {
  it('builds exactly the fixture request', () => {
    const entity: Entity = {
      logicalName: 'account',
      attributes: {
        accountid: '{E7B9D2F1-3C4A-4B5D-8E6F-0A1B2C3D4E5F}',
        telephone1: '+1 425 555 0199',
        websiteurl: 'https://www.woodgrovebank.com/',
      },
    };
    const req = buildUpdateRequest(TOKEN, { entity });
    expect(req.xml).toBe(fixtureXml('crm', 'update-account-request'));
    expect(req.soapAction).toBe('http://schemas.microsoft.com/crm/2007/WebServices/Update');
    expect(decodeMessage(req.xml)).toEqual(fixtureJson('crm', 'update-account-request'));
  });

  it('requires the primary key (activityid for activities)', () => {
    const noKey: Entity = { logicalName: 'account', attributes: { telephone1: '1' } };
    expect(thrown(() => buildUpdateRequest(TOKEN, { entity: noKey })).code).toBe('ERR_INVALID_OPTIONS');
    const notGuid: Entity = { logicalName: 'account', attributes: { accountid: 'x' } };
    expect(thrown(() => buildUpdateRequest(TOKEN, { entity: notGuid })).code).toBe('ERR_INVALID_OPTIONS');
    const activity: Entity = {
      logicalName: 'email',
      attributes: { activityid: 'e7b9d2f1-3c4a-4b5d-8e6f-0a1b2c3d4e5f', subject: 'Hi' },
    };
    expect(buildUpdateRequest(TOKEN, { entity: activity }).xml).toContain('<activityid>');
  });

  it('parses the empty response, self-closed or not, SOAP 1.1 or 1.2', () => {
    const xml = fixtureXml('crm', 'update-account-response');
    expect(parseUpdateResponse(xml)).toEqual({});
    expect(parseUpdateResponse(toSoap12(xml))).toEqual({});
    expect(parseUpdateResponse(xml.replace(' />', '></UpdateResponse>'))).toEqual({});
  });

  it('refuses a Create response as unexpected', () => {
    expect(thrown(() => parseUpdateResponse(fixtureXml('crm', 'create-account-response'))).code).toBe(
      'ERR_UNEXPECTED_MESSAGE',
    );
  });
});
