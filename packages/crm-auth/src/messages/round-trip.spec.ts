/**
 * Property tests: whatever values a caller passes, build → decode/parse gives them back (text
 * trimmed of XML whitespace, as the decoder defines), and no input makes the decoder crash.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtureXml } from '../../test/fixtures-helpers';
import { CrmAuthError } from '../errors';
import { xmlTrim } from '../xml/xml-element';
import { hasOnlyXmlChars } from '../xml/xml-writer';
import { buildCreateRequest } from './crm/create';
import { buildRetrieveMultipleRequest } from './crm/retrieve-multiple';
import { buildWhoAmIRequest } from './crm/whoami';
import { decodeMessage } from './decode';
import { buildRetrieveCrmTicketRequest } from './discovery/retrieve-crm-ticket';
import type { AttributeValue, Entity } from './types';
import { isBracedGuid } from './values';
import { buildRequestSecurityTokenRequest } from './wlid/request-security-token';

const RUNS = { numRuns: 150 };

const tricky = fc.constantFrom(
  '<',
  '>',
  '&',
  '"',
  "'",
  ']]>',
  '<![CDATA[',
  '&amp;',
  '\r\n',
  '\r',
  '\t',
  ' ',
  'é',
  '😀',
  '\u00a0',
  'x',
);
/** Any string XML can carry: tricky fragments and arbitrary code points. */
const xmlText = fc
  .oneof(fc.string({ unit: tricky, maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 20 }))
  .filter(hasOnlyXmlChars);
const nonBlank = xmlText.filter((s) => xmlTrim(s) !== '');
const ticket = fc.string({ unit: fc.constantFrom(...'ABCxyz019+/=&;t<>"\'%'), minLength: 1, maxLength: 60 });
const name = fc
  .stringMatching(/^[a-z_][a-z0-9_]{0,15}$/)
  .filter((n) => !['__proto__', 'constructor', 'prototype'].includes(n));
const guid = fc.uuid();
const guidSpelling = fc.tuple(guid, fc.boolean(), fc.boolean()).map(([g, braces, upper]) => {
  const s = upper ? g.toUpperCase() : g;
  return braces ? `{${s}}` : s;
});
const lookup = fc
  .record({ id: guid, type: name, name: fc.option(xmlText, { nil: undefined }) })
  .map(({ id, type, name: n }) => (n === undefined ? { id, type } : { id, type, name: n }));
const attributes = fc.dictionary(name, fc.oneof(xmlText, lookup), { maxKeys: 6 });

/** What the decoder yields for a string attribute: trimmed, and a braced GUID normalized. */
function decodedValue(v: AttributeValue): AttributeValue {
  if (typeof v !== 'string') return v;
  const t = xmlTrim(v);
  return isBracedGuid(t) ? t.slice(1, -1).toLowerCase() : t;
}

describe('build → decode round trips', () => {
  it('keeps any entity attributes of a Create, strings escaped and lookups intact', () => {
    fc.assert(
      fc.property(name, attributes, (logicalName, attrs) => {
        const entity: Entity = { logicalName, attributes: attrs };
        const decoded = decodeMessage(
          buildCreateRequest({ authenticationType: 1, crmTicket: 't', organizationName: 'o' }, { entity })
            .xml,
        );
        const expected = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, decodedValue(v)]));
        expect(decoded.body).toEqual({ entity: { logicalName, attributes: expected } });
      }),
      RUNS,
    );
  });

  it('keeps any tickets, org names and caller ids in the CrmAuthenticationToken', () => {
    fc.assert(
      fc.property(
        ticket,
        nonBlank,
        fc.option(guidSpelling, { nil: null }),
        (crmTicket, organizationName, callerId) => {
          const decoded = decodeMessage(
            buildWhoAmIRequest({ authenticationType: 1, crmTicket, organizationName, callerId }).xml,
          );
          expect(decoded.header).toEqual({
            authenticationType: 1,
            crmTicket,
            organizationName: xmlTrim(organizationName),
            callerId: callerId === null ? null : callerId.replace(/[{}]/g, '').toLowerCase(),
          });
        },
      ),
      RUNS,
    );
  });

  it('keeps any Passport ticket and organization name of RetrieveCrmTicket', () => {
    fc.assert(
      fc.property(nonBlank, ticket, (organizationName, passportTicket) => {
        const decoded = decodeMessage(
          buildRetrieveCrmTicketRequest({ organizationName, passportTicket }).xml,
        );
        expect(decoded.body).toEqual({ organizationName: xmlTrim(organizationName), passportTicket });
      }),
      RUNS,
    );
  });

  it('keeps condition values and the paging cookie of a QueryExpression', () => {
    fc.assert(
      fc.property(name, fc.array(xmlText, { maxLength: 4 }), nonBlank, (attribute, values, cookie) => {
        const query = {
          entityName: 'account',
          columns: [attribute],
          criteria: { filterOperator: 'And' as const, conditions: [{ attribute, operator: 'In', values }] },
          pageInfo: { pageNumber: 2, count: 50, pagingCookie: cookie },
        };
        const decoded = decodeMessage(
          buildRetrieveMultipleRequest(
            { authenticationType: 1, crmTicket: 't', organizationName: 'o' },
            { query },
          ).xml,
        );
        expect(decoded.body).toEqual({
          query: {
            ...query,
            criteria: {
              filterOperator: 'And',
              conditions: [{ attribute, operator: 'In', values: values.map(xmlTrim) }],
            },
            pageInfo: { ...query.pageInfo, pagingCookie: xmlTrim(cookie) },
          },
        });
      }),
      RUNS,
    );
  });

  it('keeps the policy (an attribute) and the partner domain of an RST', () => {
    fc.assert(
      fc.property(nonBlank, nonBlank, (policy, appliesTo) => {
        const decoded = decodeMessage(buildRequestSecurityTokenRequest({ policy, appliesTo }).xml);
        expect(decoded.body).toMatchObject({ policy: xmlTrim(policy), appliesTo: xmlTrim(appliesTo) });
      }),
      RUNS,
    );
  });
});

describe('decoder robustness', () => {
  const samples = [
    'crm/retrieve-multiple-accounts-response',
    'discovery/retrieve-crm-ticket-response',
    'wlid/fault-certificate-not-associated',
  ].map((p) => {
    const [service, file] = p.split('/') as ['crm', string];
    return fixtureXml(service, file);
  });

  function decodesOrRefuses(xml: string): void {
    try {
      decodeMessage(xml);
    } catch (err) {
      expect(err).toBeInstanceOf(CrmAuthError);
    }
  }

  it('only ever answers with a result or a CrmAuthError, for arbitrary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), decodesOrRefuses), RUNS);
  });

  it('only ever answers with a result or a CrmAuthError, for fixtures cut or spliced anywhere', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.nat(),
        fc.nat(),
        fc.string({ maxLength: 8 }),
        (xml, a, b, junk) => {
          const i = a % xml.length;
          const j = i + (b % 40);
          decodesOrRefuses(xml.slice(0, i) + junk + xml.slice(j));
        },
      ),
      { numRuns: 300 },
    );
  });
});
