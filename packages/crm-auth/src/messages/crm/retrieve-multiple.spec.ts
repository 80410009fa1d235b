import { describe, expect, it } from 'vitest';
import { fixtureJson, fixtureXml, thrown, TOKEN, toSoap12 } from '../../../test/fixtures-helpers';
import { decodeMessage } from '../decode';
import type { QueryExpression } from './query-expression';
import { buildRetrieveMultipleRequest, parseRetrieveMultipleResponse } from './retrieve-multiple';

const RESPONSE = fixtureXml('crm', 'retrieve-multiple-accounts-response');
const COLUMNS = [
  'accountid',
  'name',
  'createdby',
  'createdon',
  'createdonbehalfby',
  'modifiedby',
  'modifiedonbehalfby',
];
const COOKIE =
  '<cookie page="1"><accountid last="{3E4F5A6B-7C8D-4E9F-A0B1-C2D3E4F5A6B7}" first="{8A6B3C2D-1E0F-4A5B-9C8D-7E6F5A4B3C2D}" /></cookie>';

function resultWith(attrs: string, entities = ''): string {
  return `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
    <soap:Body><RetrieveMultipleResponse xmlns="http://schemas.microsoft.com/crm/2007/WebServices">
      <RetrieveMultipleResult EntityName="account" ${attrs}><BusinessEntities>${entities}</BusinessEntities></RetrieveMultipleResult>
    </RetrieveMultipleResponse></soap:Body></soap:Envelope>`;
}

describe('RetrieveMultiple', () => {
  it('builds exactly the fixture request for page 1', () => {
    const req = buildRetrieveMultipleRequest(TOKEN, {
      query: { entityName: 'account', columns: COLUMNS, pageInfo: { pageNumber: 1, count: 2 } },
    });
    expect(req.xml).toBe(fixtureXml('crm', 'retrieve-multiple-accounts-request'));
    expect(req.soapAction).toBe('http://schemas.microsoft.com/crm/2007/WebServices/RetrieveMultiple');
  });

  it('builds the page-2 request with the paging cookie escaped, decoding to the fixture JSON', () => {
    const req = buildRetrieveMultipleRequest(TOKEN, {
      query: {
        entityName: 'account',
        columns: COLUMNS,
        pageInfo: { pageNumber: 2, count: 2, pagingCookie: COOKIE },
      },
    });
    expect(req.xml).toContain('<q1:PagingCookie>&lt;cookie page="1"&gt;');
    expect(decodeMessage(req.xml)).toEqual(fixtureJson('crm', 'retrieve-multiple-accounts-page2-request'));
  });

  it('round-trips criteria, orders, distinct and all columns through the decoder', () => {
    const query: QueryExpression = {
      entityName: 'contact',
      columns: 'all',
      distinct: true,
      criteria: {
        filterOperator: 'Or',
        conditions: [
          { attribute: 'lastname', operator: 'Like', values: ['Wil%'] },
          { attribute: 'parentcustomerid', operator: 'Null', values: [] },
          { attribute: 'createdon', operator: 'Between', values: ['2026-01-01', '2026-12-31 <&>'] },
        ],
      },
      orders: [
        { attribute: 'lastname', descending: true },
        { attribute: 'firstname', descending: false },
      ],
      pageInfo: { pageNumber: 3, count: 50, pagingCookie: '' },
    };
    expect(decodeMessage(buildRetrieveMultipleRequest(TOKEN, { query }).xml).body).toEqual({ query });
  });

  it('reads PageCookie as well as PagingCookie in a request', () => {
    const xml = fixtureXml('crm', 'retrieve-multiple-accounts-page2-request').replaceAll(
      'PagingCookie>',
      'PageCookie>',
    );
    expect(decodeMessage(xml)).toEqual(fixtureJson('crm', 'retrieve-multiple-accounts-page2-request'));
  });

  it('refuses bad query arguments', () => {
    const bad: QueryExpression[] = [
      { entityName: 'account', columns: 'all', pageInfo: { pageNumber: -1, count: 2 } },
      { entityName: 'account', columns: 'all', pageInfo: { pageNumber: 1, count: 1.5 } },
      { entityName: 'account', columns: 'all', criteria: { filterOperator: 'Xor' as 'And', conditions: [] } },
      {
        entityName: 'account',
        columns: 'all',
        criteria: { conditions: [{ attribute: 'a', operator: 'Equal></q1:Operator>', values: [] }] },
      },
    ];
    for (const query of bad)
      expect(thrown(() => buildRetrieveMultipleRequest(TOKEN, { query })).code).toBe('ERR_INVALID_OPTIONS');
  });

  it('parses the fixture response: more records, cookie, lookups with names, braced keys normalized', () => {
    const r = parseRetrieveMultipleResponse(RESPONSE);
    expect(r.moreRecords).toBe(true);
    expect(r.pagingCookie).toBe(COOKIE);
    expect(r.entities).toHaveLength(2);
    expect(r.entities[0]?.attributes['accountid']).toBe('8a6b3c2d-1e0f-4a5b-9c8d-7e6f5a4b3c2d');
    expect(r.entities[0]?.attributes['createdonbehalfby']).toEqual({
      id: '5b2e7c1a-9f34-4d6e-8b01-2a7c3e9d4f60',
      type: 'systemuser',
      name: 'ERP_Integration',
    });
    expect(parseRetrieveMultipleResponse(toSoap12(RESPONSE))).toEqual(r);
  });

  it.each([
    ['MoreRecords="1"', true],
    ['MoreRecords="true"', true],
    ['MoreRecords="0"', false],
    ['MoreRecords="false"', false],
    ['', false],
  ])('reads %s as moreRecords %s', (attrs, more) => {
    expect(parseRetrieveMultipleResponse(resultWith(attrs)).moreRecords).toBe(more);
  });

  it('reads an absent or empty paging cookie as null, and zero or one entities as arrays', () => {
    expect(parseRetrieveMultipleResponse(resultWith('MoreRecords="0"'))).toEqual({
      moreRecords: false,
      pagingCookie: null,
      entities: [],
    });
    const one = `<BusinessEntity xmlns="http://schemas.microsoft.com/crm/2006/WebServices" xsi:type="account"><name>A</name></BusinessEntity>`;
    const r = parseRetrieveMultipleResponse(resultWith('MoreRecords="0" PagingCookie=""', one));
    expect(r.pagingCookie).toBeNull();
    expect(r.entities).toEqual([{ logicalName: 'account', attributes: { name: 'A' } }]);
  });

  it('refuses a MoreRecords that is not a boolean', () => {
    expect(thrown(() => parseRetrieveMultipleResponse(resultWith('MoreRecords="maybe"'))).message).toMatch(
      /MoreRecords/,
    );
  });

  it('maps PrincipalPrivilegeDenied to its own code', () => {
    const fault = fixtureXml('crm', 'fault-privilege-denied').replace('0x80040220', '0x80040231');
    expect(thrown(() => parseRetrieveMultipleResponse(fault)).code).toBe(
      'ERR_CRM_PRINCIPAL_PRIVILEGE_DENIED',
    );
  });
});
