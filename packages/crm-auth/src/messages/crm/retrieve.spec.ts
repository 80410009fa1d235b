import { describe, expect, it } from 'vitest';
import { fixtureJson, fixtureXml, thrown, TOKEN, toSoap12 } from '../../../test/fixtures-helpers';
import { decodeMessage } from '../decode';
import { buildRetrieveRequest, parseRetrieveResponse } from './retrieve';

const RESPONSE = fixtureXml('crm', 'retrieve-systemuser-response');

describe('Retrieve', () => {
  it('builds exactly the fixture request (no impersonation, one column)', () => {
    const req = buildRetrieveRequest(
      { ...TOKEN, callerId: null },
      { entityName: 'systemuser', id: '{C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C}', columns: ['fullname'] },
    );
    expect(req.xml).toBe(fixtureXml('crm', 'retrieve-systemuser-request'));
    expect(req.soapAction).toBe('http://schemas.microsoft.com/crm/2007/WebServices/Retrieve');
    expect(decodeMessage(req.xml)).toEqual(fixtureJson('crm', 'retrieve-systemuser-request'));
  });

  it('writes AllColumns for "all" and reads it back', () => {
    const req = buildRetrieveRequest(TOKEN, {
      entityName: 'account',
      id: 'e7b9d2f1-3c4a-4b5d-8e6f-0a1b2c3d4e5f',
      columns: 'all',
    });
    expect(req.xml).toContain('xsi:type="q1:AllColumns"');
    expect(decodeMessage(req.xml).body).toEqual({
      entityName: 'account',
      id: 'e7b9d2f1-3c4a-4b5d-8e6f-0a1b2c3d4e5f',
      columns: 'all',
    });
  });

  it('refuses names that are not plain XML names', () => {
    expect(
      thrown(() =>
        buildRetrieveRequest(TOKEN, {
          entityName: 'a><b',
          id: 'e7b9d2f1-3c4a-4b5d-8e6f-0a1b2c3d4e5f',
          columns: 'all',
        }),
      ).code,
    ).toBe('ERR_INVALID_OPTIONS');
    expect(
      thrown(() => buildRetrieveRequest(TOKEN, { entityName: 'account', id: 'x', columns: 'all' })).code,
    ).toBe('ERR_INVALID_OPTIONS');
    expect(
      thrown(() =>
        buildRetrieveRequest(TOKEN, {
          entityName: 'account',
          id: 'e7b9d2f1-3c4a-4b5d-8e6f-0a1b2c3d4e5f',
          columns: ['x y'],
        }),
      ).code,
    ).toBe('ERR_INVALID_OPTIONS');
  });

  it('parses the fixture response, keys without braces, in SOAP 1.1 and 1.2', () => {
    const expected = {
      entity: {
        logicalName: 'systemuser',
        attributes: { fullname: 'Jon Wilson', systemuserid: 'c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c' },
      },
    };
    expect(parseRetrieveResponse(RESPONSE)).toEqual(expected);
    expect(parseRetrieveResponse(toSoap12(RESPONSE))).toEqual(expected);
  });

  it('reads a prefixed xsi:type, lookups, typed values as text, and skips IsNull attributes', () => {
    const xml = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:x="http://www.w3.org/2001/XMLSchema-instance">
      <soap:Body><RetrieveResponse xmlns="http://schemas.microsoft.com/crm/2007/WebServices">
        <RetrieveResult xmlns:ws="http://schemas.microsoft.com/crm/2007/WebServices" x:type="ws:account">
          <accountnumber>00123</accountnumber>
          <ownerid type="systemuser" name="Jon Wilson" dsc="0">{C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C}</ownerid>
          <numberofemployees formattedvalue="1,200">1200</numberofemployees>
          <fax IsNull="true" />
          <description><![CDATA[a < b & c]]></description>
        </RetrieveResult></RetrieveResponse></soap:Body></soap:Envelope>`;
    expect(parseRetrieveResponse(xml).entity).toEqual({
      logicalName: 'account',
      attributes: {
        accountnumber: '00123',
        ownerid: { id: 'c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c', type: 'systemuser', name: 'Jon Wilson' },
        numberofemployees: '1200',
        description: 'a < b & c',
      },
    });
  });

  it('reads IsNull="1", "true" and " true " as null, and IsNull="0" or "false" as a value', () => {
    const xml = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
      <soap:Body><RetrieveResponse xmlns="http://schemas.microsoft.com/crm/2007/WebServices">
        <RetrieveResult xsi:type="q1:account" xmlns:q1="http://schemas.microsoft.com/crm/2007/WebServices">
          <q1:fax IsNull="1" /><q1:telephone1 IsNull="true" /><q1:telephone2 IsNull=" true " />
          <q1:name IsNull="0">Fourth Coffee</q1:name><q1:websiteurl IsNull="false">https://fourth.example</q1:websiteurl>
          <q1:parentaccountid type="account" IsNull="1" />
        </RetrieveResult></RetrieveResponse></soap:Body></soap:Envelope>`;
    expect(parseRetrieveResponse(xml).entity.attributes).toEqual({
      name: 'Fourth Coffee',
      websiteurl: 'https://fourth.example',
    });
    const doubled = xml.replace('<q1:fax IsNull="1" />', '<q1:fax IsNull="1" /><q1:fax>+1 555</q1:fax>');
    expect(thrown(() => parseRetrieveResponse(doubled)).message).toMatch(/fax appears twice/);
  });

  it('reads an activity-party list (to, from) as one record per party instead of refusing the entity', () => {
    const xml = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
      <soap:Body><RetrieveResponse xmlns="http://schemas.microsoft.com/crm/2007/WebServices">
        <RetrieveResult xsi:type="q1:email" xmlns:q1="http://schemas.microsoft.com/crm/2007/WebServices">
          <q1:subject>Renewal</q1:subject>
          <q1:from><q1:activityparty><q1:partyid type="systemuser" name="Jon Wilson" dsc="0">{C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C}</q1:partyid></q1:activityparty></q1:from>
          <q1:to>
            <q1:activityparty><q1:partyid type="contact" name="Nancy Davolio">{6D7E8F90-A1B2-4C3D-8E4F-5A6B7C8D9E0F}</q1:partyid><q1:addressused>nancy@fourth.example</q1:addressused></q1:activityparty>
            <q1:activityparty><q1:addressused>unresolved@fourth.example</q1:addressused><q1:partyid IsNull="1" /></q1:activityparty>
          </q1:to>
        </RetrieveResult></RetrieveResponse></soap:Body></soap:Envelope>`;
    expect(parseRetrieveResponse(xml).entity).toEqual({
      logicalName: 'email',
      attributes: {
        subject: 'Renewal',
        from: [
          { partyid: { id: 'c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c', type: 'systemuser', name: 'Jon Wilson' } },
        ],
        to: [
          {
            partyid: { id: '6d7e8f90-a1b2-4c3d-8e4f-5a6b7c8d9e0f', type: 'contact', name: 'Nancy Davolio' },
            addressused: 'nancy@fourth.example',
          },
          { addressused: 'unresolved@fourth.example' },
        ],
      },
    });
    const other = xml
      .replace('<q1:activityparty><q1:addressused>', '<q1:somethingelse><q1:addressused>')
      .replace(
        '<q1:partyid IsNull="1" /></q1:activityparty>',
        '<q1:partyid IsNull="1" /></q1:somethingelse>',
      );
    expect(thrown(() => parseRetrieveResponse(other)).message).toMatch(/attribute to holds elements/);
  });

  it('refuses a result without xsi:type, a doubled attribute, or a reference without a GUID', () => {
    const noType = RESPONSE.replace(/ xsi:type="[^"]*"/, '');
    expect(noType).not.toBe(RESPONSE);
    expect(thrown(() => parseRetrieveResponse(noType)).code).toBe('ERR_UNEXPECTED_MESSAGE');
    // The fixture's attribute elements may be prefixed (q1:fullname); keep the same prefix.
    const fullname = /<((?:\w+:)?)fullname>Jon Wilson<\/(?:\w+:)?fullname>/;
    const prefix = fullname.exec(RESPONSE)?.[1] ?? '';
    const doubled = RESPONSE.replace(fullname, (m) => `${m}<${prefix}fullname>Eve</${prefix}fullname>`);
    expect(thrown(() => parseRetrieveResponse(doubled)).message).toMatch(/fullname appears twice/);
    const badRef = RESPONSE.replace(fullname, `<${prefix}parentid type="account">none</${prefix}parentid>`);
    expect(thrown(() => parseRetrieveResponse(badRef)).message).toMatch(/parentid does not hold a GUID/);
  });

  it('maps ObjectDoesNotExist to ERR_CRM_OBJECT_NOT_FOUND', () => {
    const fault = fixtureXml('crm', 'fault-expired-auth-ticket')
      .replace('0x8004A101', '0x80040217')
      .replace(
        'The ticket specified for authentication is expired',
        'systemuser With Id = c1f3a7d2 Does Not Exist',
      );
    expect(thrown(() => parseRetrieveResponse(fault)).code).toBe('ERR_CRM_OBJECT_NOT_FOUND');
  });
});
