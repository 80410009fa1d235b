/**
 * Fault reading pinned down rule by rule (found by mutation testing, stryker/REPORT.md): which
 * bodies are faults, where the SOAP code and reason come from in 1.1 and 1.2, Live faults with and
 * without internalerror, the expiry fallback, the error message, and fault-code normalization.
 */
import { describe, expect, it } from 'vitest';
import { faultError, normalizeFaultCode, parseFault } from './faults';

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
const PSF = 'http://schemas.microsoft.com/Passport/SoapServices/SOAPFault';

const env11 = (body: string) =>
  `<soap:Envelope xmlns:soap="${SOAP11}"><soap:Body>${body}</soap:Body></soap:Envelope>`;
const env12 = (body: string) =>
  `<env:Envelope xmlns:env="${SOAP12}"><env:Body>${body}</env:Body></env:Envelope>`;

describe('which bodies are faults', () => {
  it('answers null for a body that is not a Fault, and for a Fault outside the envelope namespace', () => {
    expect(parseFault(env11('<WhoAmIResponse xmlns="urn:x"/>'))).toBeNull();
    expect(parseFault(env11('<Fault xmlns="urn:not-soap"><faultcode>x</faultcode></Fault>'))).toBeNull();
    expect(parseFault(env11('<soap:Other/>'))).toBeNull();
    expect(parseFault(env11('<soap:Fault><faultcode>soap:Server</faultcode></soap:Fault>'))).not.toBeNull();
  });
});

describe('a plain ASMX fault (no CRM detail)', () => {
  it('takes code and reason from faultcode and faultstring, trimmed, prefix resolved', () => {
    const f = parseFault(
      env11(
        '<soap:Fault><faultcode> soap:Client </faultcode><faultstring>  Server did not recognize the value.  </faultstring></soap:Fault>',
      ),
    );
    expect(f).toEqual({
      service: 'crm',
      soapVersion: '1.1',
      code: 'Client',
      soapCode: 'Client',
      name: 'Unknown',
      description: 'Server did not recognize the value.',
      reason: 'Server did not recognize the value.',
      type: 'Soap',
      errorCode: 'ERR_CRM_FAULT',
    });
  });

  it('takes them from Code/Value and Reason/Text in SOAP 1.2', () => {
    const f = parseFault(
      env12(
        '<env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason><env:Text xml:lang="en"> Bad request </env:Text></env:Reason></env:Fault>',
      ),
    );
    expect(f).toMatchObject({
      soapVersion: '1.2',
      soapCode: 'Sender',
      code: 'Sender',
      reason: 'Bad request',
      errorCode: 'ERR_CRM_FAULT',
    });
  });

  it('reads a fault with no code and no reason as empty strings, without throwing', () => {
    expect(parseFault(env11('<soap:Fault/>'))).toMatchObject({
      soapCode: '',
      code: '',
      reason: '',
      description: '',
      errorCode: 'ERR_CRM_FAULT',
    });
  });

  it('is an expired ticket only when its detail mentions 8004A101', () => {
    expect(
      parseFault(
        env11(
          '<soap:Fault><faultcode>soap:Server</faultcode><detail><x>ticket 8004a101</x></detail></soap:Fault>',
        ),
      )?.errorCode,
    ).toBe('ERR_CRM_EXPIRED_TICKET');
    expect(
      parseFault(
        env11('<soap:Fault><faultcode>soap:Server</faultcode><detail><x>other</x></detail></soap:Fault>'),
      )?.errorCode,
    ).toBe('ERR_CRM_FAULT');
  });
});

describe('a CRM fault', () => {
  it('carries the description and type of its error element', () => {
    const f = parseFault(
      env11(
        '<soap:Fault><faultcode>soap:Server</faultcode><faultstring>x</faultstring><detail><error><code>0x80040220</code><description> No privilege </description><type> Platform </type></error></detail></soap:Fault>',
      ),
    );
    expect(f).toMatchObject({
      code: '0x80040220',
      description: 'No privilege',
      type: 'Platform',
      reason: 'x',
    });
  });

  it('reads a missing description or type as empty text', () => {
    const f = parseFault(
      env11(
        '<soap:Fault><faultcode>soap:Server</faultcode><detail><error><code>0x80040220</code></error></detail></soap:Fault>',
      ),
    );
    expect(f).toMatchObject({ description: '', type: '', name: 'PrivilegeDenied' });
  });

  it('without a code element, finds 8004A101 anywhere in the detail, also outside the error element', () => {
    const f = parseFault(
      env11(
        '<soap:Fault><faultcode>soap:Server</faultcode><detail><error><description>d</description></error><inner>0x8004A101</inner></detail></soap:Fault>',
      ),
    );
    expect(f?.errorCode).toBe('ERR_CRM_EXPIRED_TICKET');
  });
});

describe('a Windows Live fault', () => {
  it('reads psf:internalerror code and text', () => {
    const f = parseFault(
      env12(
        `<env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason><env:Text>outer</env:Text></env:Reason><env:Detail><psf:error xmlns:psf="${PSF}"><psf:value>0x80048820</psf:value><psf:internalerror><psf:code> 0x80048862 </psf:code><psf:text> not associated </psf:text></psf:internalerror></psf:error></env:Detail></env:Fault>`,
      ),
    );
    expect(f).toMatchObject({
      service: 'wlid',
      code: '0x80048862',
      description: 'not associated',
      type: 'LiveId',
      errorCode: 'ERR_WLID_FAULT',
      name: 'Unknown',
    });
  });

  it('falls back on psf:value for the code and on the reason for the description without internalerror', () => {
    const f = parseFault(
      env12(
        `<env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason><env:Text>Authentication Failure</env:Text></env:Reason><env:Detail><psf:error xmlns:psf="${PSF}"><psf:value>0x80048820</psf:value></psf:error></env:Detail></env:Fault>`,
      ),
    );
    expect(f).toMatchObject({ service: 'wlid', code: '0x80048820', description: 'Authentication Failure' });
  });

  it('reads a psf:error with neither code nor value as an empty code, without throwing', () => {
    const f = parseFault(
      env11(
        `<soap:Fault><faultcode>soap:Server</faultcode><faultstring>r</faultstring><detail><psf:error xmlns:psf="${PSF}"/></detail></soap:Fault>`,
      ),
    );
    expect(f).toMatchObject({ service: 'wlid', code: '', description: 'r' });
  });
});

describe('faultError', () => {
  const base = { soapVersion: '1.1' as const, soapCode: 'Server', reason: 'r', type: 'Platform' };

  it('names a CRM fault with its catalogue name, a Live or unknown one by code alone, white space folded', () => {
    const crm = faultError({
      ...base,
      service: 'crm',
      code: '0x8004A101',
      name: 'ExpiredAuthTicket',
      description: 'The ticket\n   expired',
      errorCode: 'ERR_CRM_EXPIRED_TICKET',
    });
    expect(crm.message).toBe('CRM fault 0x8004A101 (ExpiredAuthTicket): The ticket expired');
    const live = faultError(
      {
        ...base,
        service: 'wlid',
        code: '0x80048862',
        name: 'Unknown',
        description: 'not associated',
        errorCode: 'ERR_WLID_FAULT',
      },
      'RequestSecurityToken',
    );
    expect(live.message).toBe('Windows Live fault 0x80048862: not associated');
    expect(live).toMatchObject({
      code: 'ERR_WLID_FAULT',
      faultCode: '0x80048862',
      faultDescription: 'not associated',
      notExecuted: true,
      operation: 'RequestSecurityToken',
    });
    expect(crm.operation).toBeUndefined();
  });
});

describe('normalizeFaultCode', () => {
  it.each([
    ['0x8004a101', '0x8004A101'],
    ['0X8004A101', '0x8004A101'],
    ['8004A101', '0x8004A101'],
    ['-2147180287', '0x8004A101'],
    ['2147786753', '0x8004A001'],
    ['-5', '0xFFFFFFFB'],
    ['-2147483648', '0x80000000'],
    ['4294967295', '0xFFFFFFFF'],
    ['0', '0x00000000'],
  ])('reads %s as %s', (raw, code) => {
    expect(normalizeFaultCode(raw)).toBe(code);
  });

  it.each([
    '8004A101ZZ',
    'x8004A101',
    '0x8004A1010',
    '-2147483649',
    '4294967296',
    '12345678901',
    '12a',
    'a12',
    '--5',
    '',
  ])('keeps %j as sent', (raw) => {
    expect(normalizeFaultCode(raw)).toBe(raw);
  });
});
