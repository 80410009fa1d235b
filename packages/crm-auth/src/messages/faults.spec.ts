import { describe, expect, it } from 'vitest';
import { fixtureXml, thrown } from '../../test/fixtures-helpers';
import { CRM_FAULT_CODES } from './constants';
import { faultError, normalizeFaultCode, parseFault } from './faults';

function fault11(detail: string, faultcode = 'soap:Server'): string {
  return `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>
    <faultcode>${faultcode}</faultcode><faultstring>Server was unable to process request.</faultstring>
    <detail>${detail}</detail></soap:Fault></soap:Body></soap:Envelope>`;
}

describe('faults', () => {
  it('maps every catalogued CRM code to its name and error code', () => {
    for (const [code, { name, errorCode }] of Object.entries(CRM_FAULT_CODES)) {
      const f = parseFault(
        fault11(`<error><code>${code}</code><description>d</description><type>Platform</type></error>`),
      );
      expect(f).toMatchObject({
        service: 'crm',
        code,
        name,
        errorCode,
        type: 'Platform',
        soapCode: 'Server',
      });
    }
  });

  it('maps an unknown code to ERR_CRM_FAULT and the name Unknown', () => {
    const f = parseFault(fault11('<error><code>0x80041234</code><description>d</description></error>'));
    expect(f).toMatchObject({ code: '0x80041234', name: 'Unknown', errorCode: 'ERR_CRM_FAULT' });
  });

  it('does not depend on child order, and normalizes the code to 0x + upper-case hex', () => {
    const f = parseFault(
      fault11('<error><type>Platform</type><description>gone</description><code>0x8004a101</code></error>'),
    );
    expect(f).toMatchObject({
      code: '0x8004A101',
      name: 'ExpiredAuthTicket',
      description: 'gone',
      errorCode: 'ERR_CRM_EXPIRED_TICKET',
    });
  });

  it('classifies by the code element: another code whose text mentions 8004A101 is not an expired ticket', () => {
    const other = parseFault(
      fault11(
        '<error><code>0x80040217</code><description>systemuser 8004a101 Does Not Exist</description><type>Platform</type></error>',
      ),
    );
    expect(other).toMatchObject({ code: '0x80040217', errorCode: 'ERR_CRM_OBJECT_NOT_FOUND' });
    const inner = parseFault(
      fault11(
        '<error><code>0x80040216</code><description>Inner: 0x8004A101 ticket expired</description></error>',
      ),
    );
    expect(inner?.errorCode).toBe('ERR_CRM_FAULT');
  });

  it('falls back on the SDK text search (8004A101 anywhere in the detail) only when there is no code element', () => {
    const bare = parseFault(fault11('<CrmError><Message>8004A101</Message></CrmError>'));
    expect(bare?.errorCode).toBe('ERR_CRM_EXPIRED_TICKET');
    const noCode = parseFault(fault11('<error><description>Ticket 8004a101 expired</description></error>'));
    expect(noCode?.errorCode).toBe('ERR_CRM_EXPIRED_TICKET');
    const emptyCode = parseFault(
      fault11('<error><code> </code><description>0x8004A101</description></error>'),
    );
    expect(emptyCode?.errorCode).toBe('ERR_CRM_EXPIRED_TICKET');
  });

  it('reads a SOAP 1.2 CRM fault (Code/Value, Reason/Text, Detail)', () => {
    const xml = `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault>
      <env:Code><env:Value>env:Receiver</env:Value></env:Code>
      <env:Reason><env:Text xml:lang="en">Server was unable to process request.</env:Text></env:Reason>
      <env:Detail><error><code>0x8004A104</code><description>The organization is disabled.</description><type>Platform</type></error></env:Detail>
    </env:Fault></env:Body></env:Envelope>`;
    expect(parseFault(xml)).toEqual({
      service: 'crm',
      soapVersion: '1.2',
      code: '0x8004A104',
      name: 'OrganizationDisabled',
      description: 'The organization is disabled.',
      type: 'Platform',
      errorCode: 'ERR_CRM_ORG_DISABLED',
      soapCode: 'Receiver',
      reason: 'Server was unable to process request.',
    });
  });

  it('reads the Windows Live fault fixture, trimming the escaped CR LF', () => {
    const f = parseFault(fixtureXml('wlid', 'fault-certificate-not-associated'));
    expect(f).toMatchObject({
      service: 'wlid',
      code: '0x80048862',
      name: 'Unknown',
      description: 'The certificate presented is not associated with a Windows Live ID.',
      type: 'LiveId',
      errorCode: 'ERR_WLID_FAULT',
      soapCode: 'Sender',
    });
  });

  it('reads a plain ASMX fault without CRM detail as a generic CRM fault', () => {
    const f = parseFault(
      fault11('', 'soap:Client').replace(
        'Server was unable to process request.',
        'Server did not recognize the value of HTTP Header SOAPAction: x.',
      ),
    );
    expect(f).toMatchObject({
      service: 'crm',
      code: 'Client',
      name: 'Unknown',
      type: 'Soap',
      errorCode: 'ERR_CRM_FAULT',
    });
  });

  it('returns null for a message that is not a fault', () => {
    expect(parseFault(fixtureXml('crm', 'create-account-response'))).toBeNull();
  });

  it('builds an error with the structured fields and notExecuted', () => {
    const f = parseFault(fixtureXml('crm', 'fault-expired-auth-ticket'));
    const err = faultError(f!, 'Create');
    expect(err).toMatchObject({
      code: 'ERR_CRM_EXPIRED_TICKET',
      faultCode: '0x8004A101',
      faultDescription: 'The ticket specified for authentication is expired',
      operation: 'Create',
      notExecuted: true,
    });
    expect(err.message).toBe(
      'CRM fault 0x8004A101 (ExpiredAuthTicket): The ticket specified for authentication is expired',
    );
  });

  it('normalizes code spellings', () => {
    expect(normalizeFaultCode('8004a101')).toBe('0x8004A101');
    expect(normalizeFaultCode('-2147180287')).toBe('0x8004A101');
    expect(normalizeFaultCode('-2147220960')).toBe('0x80040220');
    expect(normalizeFaultCode('oops')).toBe('oops');
  });

  it('refuses hostile input even when only asked for a fault', () => {
    expect(thrown(() => parseFault(fixtureXml('hostile', 'billion-laughs'))).code).toBe('ERR_XML_FORBIDDEN');
  });
});
