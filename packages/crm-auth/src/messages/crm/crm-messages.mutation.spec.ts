/**
 * Mutation-testing additions (stryker/README.md) for CrmService messages: the token header's
 * checks, QueryExpression arguments and reading, column sets, and entities (references, nulls and
 * activity-party lists) as received.
 */
import { describe, expect, it } from 'vitest';
import { fixtureXml, thrown, TOKEN } from '../../../test/fixtures-helpers';
import { NS } from '../constants';
import { decodeMessage } from '../decode';
import { buildCreateRequest } from './create';
import { buildDeleteRequest } from './delete';
import { buildRetrieveRequest, parseRetrieveResponse } from './retrieve';
import { buildRetrieveMultipleRequest } from './retrieve-multiple';
import type { QueryExpression } from './query-expression';
import { buildUpdateRequest } from './update';
import { buildWhoAmIRequest } from './whoami';

const ID = 'c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c';

function retrieveResponse(entity: string): string {
  return `<soap:Envelope xmlns:soap="${NS.soap11}" xmlns:xsi="${NS.xsi}"><soap:Body><RetrieveResponse xmlns="${NS.ws}"><RetrieveResult xsi:type="account">${entity}</RetrieveResult></RetrieveResponse></soap:Body></soap:Envelope>`;
}

/** A RetrieveMultiple request whose `query` element is `query`. */
function multipleRequest(query: string): string {
  return buildRetrieveMultipleRequest(TOKEN, {
    query: { entityName: 'account', columns: 'all' },
  }).xml.replace(/<query[\s\S]*<\/query>/, query);
}

const QUERY_OPEN = `<query xmlns:q1="${NS.q}" xsi:type="q1:QueryExpression"><q1:EntityName>account</q1:EntityName><q1:ColumnSet xsi:type="q1:AllColumns"/>`;

describe('CrmAuthenticationToken', () => {
  it('refuses an authentication type that is negative or not an integer', () => {
    for (const authenticationType of [-1, 1.5, Number.NaN]) {
      const err = thrown(() => buildWhoAmIRequest({ ...TOKEN, authenticationType }));
      expect(err).toMatchObject({
        code: 'ERR_INVALID_OPTIONS',
        message: 'token.authenticationType must be a non-negative integer',
      });
    }
    expect(
      decodeMessage(buildWhoAmIRequest({ ...TOKEN, authenticationType: 0 }).xml).header?.authenticationType,
    ).toBe(0);
  });

  it('writes an undefined callerId as all zeros and a given one normalized', () => {
    const { callerId: _omit, ...noCaller } = TOKEN;
    expect(decodeMessage(buildWhoAmIRequest(noCaller as typeof TOKEN).xml).header?.callerId).toBeNull();
    expect(
      decodeMessage(buildWhoAmIRequest({ ...TOKEN, callerId: `{${ID.toUpperCase()}}` }).xml).header?.callerId,
    ).toBe(ID);
    expect(thrown(() => buildWhoAmIRequest({ ...TOKEN, crmTicket: '' })).message).toBe(
      'token.crmTicket must be a non-empty string',
    );
    expect(thrown(() => buildWhoAmIRequest({ ...TOKEN, organizationName: '' })).message).toBe(
      'token.organizationName must be a non-empty string',
    );
  });
});

describe('QueryExpression arguments', () => {
  const build = (query: Partial<QueryExpression>) =>
    buildRetrieveMultipleRequest(TOKEN, { query: { entityName: 'account', columns: 'all', ...query } });

  it('accepts page number and count 0, and names the page field that is wrong', () => {
    expect(decodeMessage(build({ pageInfo: { pageNumber: 0, count: 0 } }).xml).body).toEqual({
      query: { entityName: 'account', columns: 'all', pageInfo: { pageNumber: 0, count: 0 } },
    });
    expect(thrown(() => build({ pageInfo: { pageNumber: -1, count: 1 } })).message).toBe(
      'query.pageInfo.pageNumber must be a non-negative integer',
    );
    expect(
      thrown(() => build({ pageInfo: { pageNumber: 1, count: '5' as unknown as number } })).message,
    ).toBe('query.pageInfo.count must be a non-negative integer');
    expect(thrown(() => build({ pageInfo: { pageNumber: 2 ** 53, count: 1 } })).code).toBe(
      'ERR_INVALID_OPTIONS',
    );
  });

  it('writes And when no filter operator is given and names a wrong one', () => {
    const xml = build({
      criteria: { conditions: [{ attribute: 'name', operator: 'Equal', values: ['x'] }] },
    }).xml;
    expect(xml).toContain('<q1:FilterOperator>And</q1:FilterOperator>');
    expect(
      thrown(() => build({ criteria: { filterOperator: 'Not' as 'And', conditions: [] } })).message,
    ).toBe('query.criteria.filterOperator must be And or Or');
  });

  it('writes Distinct false unless it is exactly true, and no Orders element for an empty list', () => {
    expect(build({ distinct: false }).xml).toContain('<q1:Distinct>false</q1:Distinct>');
    expect(build({}).xml).toContain('<q1:Distinct>false</q1:Distinct>');
    expect(build({ distinct: true }).xml).toContain('<q1:Distinct>true</q1:Distinct>');
    expect(build({ orders: [] }).xml).not.toContain('Orders');
    expect(build({ orders: [{ attribute: 'name' }] }).xml).toContain(
      '<q1:OrderType>Ascending</q1:OrderType>',
    );
  });

  it('writes no PagingCookie for a null or absent cookie', () => {
    expect(build({ pageInfo: { pageNumber: 1, count: 5, pagingCookie: null } }).xml).not.toContain(
      'PagingCookie',
    );
    expect(build({ pageInfo: { pageNumber: 1, count: 5 } }).xml).not.toContain('PagingCookie');
  });

  it('refuses columns that are neither a list nor "all"', () => {
    expect(thrown(() => build({ columns: 'some' as 'all' }))).toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
      message: 'columns must be an array of names or "all"',
    });
  });
});

describe('QueryExpression as received', () => {
  const body = (xml: string) => decodeMessage(multipleRequest(xml)).body;
  const err = (xml: string) => thrown(() => decodeMessage(multipleRequest(xml)));

  it('reads an absent filter operator as And and an absent order type as ascending', () => {
    const q = `${QUERY_OPEN}<q1:Distinct>false</q1:Distinct><q1:Criteria><q1:Conditions><q1:Condition><q1:AttributeName>name</q1:AttributeName><q1:Operator>Equal</q1:Operator></q1:Condition></q1:Conditions></q1:Criteria><q1:Orders><q1:Order><q1:AttributeName>name</q1:AttributeName></q1:Order></q1:Orders></query>`;
    expect(body(q)).toEqual({
      query: {
        entityName: 'account',
        columns: 'all',
        criteria: {
          filterOperator: 'And',
          conditions: [{ attribute: 'name', operator: 'Equal', values: [] }],
        },
        orders: [{ attribute: 'name', descending: false }],
      },
    });
  });

  it('refuses a filter operator or order type it does not know, and a query of another type', () => {
    expect(
      err(`${QUERY_OPEN}<q1:Criteria><q1:FilterOperator>Xor</q1:FilterOperator></q1:Criteria></query>`)
        .message,
    ).toBe('RetrieveMultiple: FilterOperator must be And or Or');
    expect(
      err(
        `${QUERY_OPEN}<q1:Orders><q1:Order><q1:AttributeName>a</q1:AttributeName><q1:OrderType>Up</q1:OrderType></q1:Order></q1:Orders></query>`,
      ).message,
    ).toBe('RetrieveMultiple: OrderType must be Ascending or Descending');
    expect(err(`<query xmlns:q1="${NS.q}" xsi:type="q1:QueryByAttribute"/>`).message).toBe(
      'RetrieveMultiple: unsupported query type QueryByAttribute',
    );
    expect(err('<query/>').message).toBe('RetrieveMultiple: unsupported query type (none)');
  });

  it('reads a column set without xsi:type as a list of columns and refuses another type', () => {
    const q = (columnSet: string) =>
      `<query xmlns:q1="${NS.q}" xsi:type="q1:QueryExpression"><q1:EntityName>account</q1:EntityName>${columnSet}</query>`;
    expect(
      body(
        q('<q1:ColumnSet><q1:Attributes><q1:Attribute>name</q1:Attribute></q1:Attributes></q1:ColumnSet>'),
      ),
    ).toEqual({
      query: { entityName: 'account', columns: ['name'] },
    });
    expect(err(q('<q1:ColumnSet xsi:type="q1:Other"/>')).message).toBe(
      'RetrieveMultiple: unsupported column set type Other',
    );
    expect(err(q('<q1:ColumnSet xsi:type="zz:ColumnSet"/>')).message).toBe(
      'RetrieveMultiple: unsupported column set type (undeclared prefix)',
    );
  });
});

describe('entities as written and received', () => {
  it('writes a lookup name only when given, and refuses a lookup without a type', () => {
    const withName = buildCreateRequest(TOKEN, {
      entity: {
        logicalName: 'account',
        attributes: { ownerid: { id: ID, type: 'systemuser', name: 'Jon' } },
      },
    }).xml;
    expect(withName).toContain(`<ownerid type="systemuser" name="Jon">{${ID.toUpperCase()}}</ownerid>`);
    const withoutName = buildCreateRequest(TOKEN, {
      entity: { logicalName: 'account', attributes: { ownerid: { id: ID, type: 'systemuser' } } },
    }).xml;
    expect(withoutName).toContain(`<ownerid type="systemuser">{${ID.toUpperCase()}}</ownerid>`);
    const err = thrown(() =>
      buildCreateRequest(TOKEN, {
        entity: { logicalName: 'account', attributes: { ownerid: { id: ID, type: '' } } },
      }),
    );
    expect(err).toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
      message: 'lookup type of ownerid must be a non-empty string',
    });
    expect(
      thrown(() =>
        buildCreateRequest(TOKEN, {
          entity: { logicalName: 'account', attributes: { ownerid: { id: 'x', type: 'systemuser' } } },
        }),
      ).message,
    ).toBe('lookup id of ownerid must be a GUID');
  });

  it('reads a reference with its trimmed type and its name, and text keeps its inner spaces', () => {
    const { entity } = parseRetrieveResponse(
      retrieveResponse(
        `<ownerid type=" systemuser " name=" Jon ">{${ID.toUpperCase()}}</ownerid><name> A  B </name>`,
      ),
    );
    expect(entity).toEqual({
      logicalName: 'account',
      attributes: { ownerid: { id: ID, type: 'systemuser', name: ' Jon ' }, name: 'A  B' },
    });
  });

  it('keeps an unbraced GUID as text and lower-cases a braced one', () => {
    const { entity } = parseRetrieveResponse(
      retrieveResponse(`<a>{${ID.toUpperCase()}}</a><b>${ID.toUpperCase()}</b>`),
    );
    expect(entity.attributes).toEqual({ a: ID, b: ID.toUpperCase() });
  });

  it('refuses a reference without a GUID, naming the attribute', () => {
    expect(
      thrown(() => parseRetrieveResponse(retrieveResponse('<ownerid type="systemuser">nope</ownerid>')))
        .message,
    ).toBe('RetrieveResponse: reference ownerid does not hold a GUID');
  });

  it('reads activity parties, skipping their null attributes, and refuses other element content', () => {
    const party = `<to><activityparty><partyid type="contact">{${ID}}</partyid><addressused IsNull="1"/></activityparty><activityparty><addressused>a@b.example</addressused></activityparty></to>`;
    expect(parseRetrieveResponse(retrieveResponse(party)).entity.attributes).toEqual({
      to: [{ partyid: { id: ID, type: 'contact' } }, { addressused: 'a@b.example' }],
    });
    const cases: Array<[string, string]> = [
      ['<to><other/></to>', 'RetrieveResponse: attribute to holds elements'],
      [
        '<to><activityparty><partyid><x/></partyid></activityparty></to>',
        'RetrieveResponse: activity party of to nests elements',
      ],
      [
        '<to><activityparty><addressused>a</addressused><addressused>b</addressused></activityparty></to>',
        'RetrieveResponse: activity party attribute addressused appears twice',
      ],
      [
        '<to><activityparty><addressused IsNull="1"/><addressused>b</addressused></activityparty></to>',
        'RetrieveResponse: activity party attribute addressused appears twice',
      ],
    ];
    for (const [xml, message] of cases)
      expect(thrown(() => parseRetrieveResponse(retrieveResponse(xml))).message).toBe(message);
  });

  it('names a doubled attribute and an entity without xsi:type', () => {
    expect(
      thrown(() => parseRetrieveResponse(retrieveResponse('<name>a</name><name>b</name>'))).message,
    ).toBe('RetrieveResponse: attribute name appears twice');
    const untyped = retrieveResponse('').replace(' xsi:type="account"', '');
    expect(thrown(() => parseRetrieveResponse(untyped)).message).toBe(
      'RetrieveResponse: RetrieveResult has no xsi:type naming the entity',
    );
  });

  it('reads IsNull only as an xs:boolean true', () => {
    const { entity } = parseRetrieveResponse(retrieveResponse('<a IsNull="yes">x</a><b IsNull="true"/>'));
    expect(entity.attributes).toEqual({ a: 'x' });
  });

  it('writes a Retrieve request whose columns and id decode back', () => {
    const xml = buildRetrieveRequest(TOKEN, {
      entityName: 'account',
      id: `{${ID.toUpperCase()}}`,
      columns: ['name'],
    }).xml;
    expect(decodeMessage(xml).body).toEqual({ entityName: 'account', id: ID, columns: ['name'] });
  });
});

describe('builder arguments name the one that is wrong', () => {
  const NOT_A_NAME = 'must be an XML name of letters, digits, "_", "." or "-"';
  const account = (attributes: Record<string, unknown>, logicalName = 'account') =>
    ({ logicalName, attributes }) as Parameters<typeof buildCreateRequest>[1]['entity'];

  it('names a bad caller id in the token', () => {
    expect(thrown(() => buildWhoAmIRequest({ ...TOKEN, callerId: 'me' }))).toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
      message: 'token.callerId must be a GUID',
    });
  });

  it('names a bad entity name and a bad id in Delete and Retrieve', () => {
    const del = (a: { entityName: string; id: string }) => thrown(() => buildDeleteRequest(TOKEN, a));
    const get = (a: { entityName: string; id: string }) =>
      thrown(() => buildRetrieveRequest(TOKEN, { ...a, columns: 'all' }));
    for (const build of [del, get]) {
      expect(build({ entityName: 'an account', id: ID }).message).toBe(`entityName ${NOT_A_NAME}`);
      expect(build({ entityName: 'account', id: 'forty-two' })).toMatchObject({
        code: 'ERR_INVALID_OPTIONS',
        message: 'id must be a GUID',
      });
    }
  });

  it('names a bad column name', () => {
    const err = thrown(() =>
      buildRetrieveRequest(TOKEN, { entityName: 'account', id: ID, columns: ['a b'] }),
    );
    expect(err.message).toBe(`column name ${NOT_A_NAME}`);
  });

  it('names a bad entity name, attribute name, activity party attribute or lookup type in an entity', () => {
    const create = (entity: ReturnType<typeof account>) =>
      thrown(() => buildCreateRequest(TOKEN, { entity }));
    expect(create(account({ name: 'x' }, 'the account')).message).toBe(`entity.logicalName ${NOT_A_NAME}`);
    expect(create(account({ 'account name': 'x' })).message).toBe(`entity attribute name ${NOT_A_NAME}`);
    expect(create(account({ to: [{ 'party id': 'x' }] })).message).toBe(
      `activity party attribute of to ${NOT_A_NAME}`,
    );
    expect(create(account({ parentaccountid: { id: ID, type: 'an account' } })).message).toBe(
      `lookup type of parentaccountid ${NOT_A_NAME}`,
    );
  });

  it('names a bad entity name, condition attribute, operator or order attribute in a query', () => {
    const query = (q: Partial<QueryExpression>) =>
      thrown(() =>
        buildRetrieveMultipleRequest(TOKEN, { query: { entityName: 'account', columns: 'all', ...q } }),
      );
    const condition = { attribute: 'name', operator: 'Equal', values: ['x'] };
    expect(query({ entityName: 'an account' }).message).toBe(`query.entityName ${NOT_A_NAME}`);
    expect(query({ criteria: { conditions: [{ ...condition, attribute: 'a name' }] } }).message).toBe(
      `condition attribute ${NOT_A_NAME}`,
    );
    expect(query({ criteria: { conditions: [{ ...condition, operator: 'is equal' }] } }).message).toBe(
      `condition operator ${NOT_A_NAME}`,
    );
    expect(query({ orders: [{ attribute: 'a name' }] }).message).toBe(`order attribute ${NOT_A_NAME}`);
  });

  it('refuses an Update whose primary key is missing or not a string, naming the key', () => {
    const update = (attributes: Record<string, unknown>) =>
      thrown(() => buildUpdateRequest(TOKEN, { entity: account(attributes) }));
    expect(update({ name: 'x' })).toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
      message: 'entity must carry its primary key accountid as a GUID',
    });
    // An array holding a GUID string is not a key (and must not reach string-only checks).
    expect(update({ accountid: [ID] })).toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
      message: 'entity must carry its primary key accountid as a GUID',
    });
  });
});

describe('CrmService messages as received: edge cases', () => {
  it('writes every condition value typed xsd:string', () => {
    const { xml } = buildRetrieveMultipleRequest(TOKEN, {
      query: {
        entityName: 'account',
        columns: 'all',
        criteria: { conditions: [{ attribute: 'name', operator: 'In', values: ['a', 'b'] }] },
      },
    });
    expect(xml.match(/<q1:Value [^>]*>/g)).toEqual([
      '<q1:Value xsi:type="xsd:string">',
      '<q1:Value xsi:type="xsd:string">',
    ]);
  });

  it('finds the CrmAuthenticationToken among other header blocks', () => {
    const action = '<wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing">Create</wsa:Action>';
    const xml = fixtureXml('crm', 'create-account-request').replace(
      '<soap:Header>',
      `<soap:Header>${action}`,
    );
    expect(decodeMessage(xml).header).toEqual({
      authenticationType: 1,
      crmTicket: TOKEN.crmTicket,
      organizationName: 'contoso',
      callerId: ID,
    });
  });

  it('refuses an entity or a query whose xsi:type uses an undeclared prefix', () => {
    const entity = thrown(() =>
      parseRetrieveResponse(retrieveResponse('').replace('xsi:type="account"', 'xsi:type="zz:account"')),
    );
    expect(entity).toMatchObject({
      code: 'ERR_UNEXPECTED_MESSAGE',
      message: 'RetrieveResponse: RetrieveResult has no xsi:type naming the entity',
    });
    const query = thrown(() =>
      decodeMessage(
        multipleRequest(`${QUERY_OPEN}</query>`.replace('q1:QueryExpression', 'zz:QueryExpression')),
      ),
    );
    expect(query).toMatchObject({
      code: 'ERR_UNEXPECTED_MESSAGE',
      message: 'RetrieveMultiple: unsupported query type (none)',
    });
  });

  it('refuses an attribute element whose local name is __proto__ (a prefix gets it past the parser)', () => {
    for (const inner of [
      '<x:__proto__ xmlns:x="urn:x">v</x:__proto__>',
      `<x:__proto__ xmlns:x="urn:x" type="account">${ID}</x:__proto__>`,
      `<to><activityparty><x:__proto__ xmlns:x="urn:x">v</x:__proto__></activityparty></to>`,
    ]) {
      expect(thrown(() => parseRetrieveResponse(retrieveResponse(inner)))).toMatchObject({
        code: 'ERR_UNEXPECTED_MESSAGE',
        message: 'RetrieveResponse: forbidden attribute name',
      });
    }
  });

  it('reads a reference without a name attribute as id and type only, with no name key', () => {
    const { entity } = parseRetrieveResponse(
      retrieveResponse(`<parentaccountid type="account">{${ID.toUpperCase()}}</parentaccountid>`),
    );
    expect(entity.attributes['parentaccountid']).toStrictEqual({ id: ID, type: 'account' });
  });
});
