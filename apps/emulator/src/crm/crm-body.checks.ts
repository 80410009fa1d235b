import { CrmFault } from '../soap/crm-error-codes.constants';
import { QUERY_NS, WS_NS, XSI_NS } from '../soap/namespaces.constants';
import { SoapParseError } from '../xml/soap-parse.error';
import { nsAttr, resolveQName, type XmlValue } from '../xml/xml-node.util';

/**
 * The CrmService body as ASMX's XmlSerializer reads it (docs/protocol.md §5.2): parameters of the
 * wrapper are `ws` elements, query parts `q` elements; a single-valued element may appear once; an
 * `xsi:type` is a QName resolved where it is written and must name a type of the namespace that
 * declares it. Elements of other names or namespaces are unknown to the serializer and ignored (the
 * handlers then find the parameter missing). Checked before the call is authenticated, as ASMX
 * deserializes before CRM runs.
 */

interface Part {
  ns: string;
  /** May appear more than once (array members). */
  many?: boolean;
  /** The namespace its xsi:type must resolve to, when it carries one. */
  typeNs?: string;
  parts?: () => Shape;
}
type Shape = Record<string, Part>;

const COLUMN_SET: Shape = {
  Attributes: { ns: QUERY_NS, parts: () => ({ Attribute: { ns: QUERY_NS, many: true } }) },
};

const FILTER: Shape = {
  FilterOperator: { ns: QUERY_NS },
  Conditions: {
    ns: QUERY_NS,
    parts: () => ({
      Condition: {
        ns: QUERY_NS,
        many: true,
        parts: () => ({
          AttributeName: { ns: QUERY_NS },
          Operator: { ns: QUERY_NS },
          Values: { ns: QUERY_NS, parts: () => ({ Value: { ns: QUERY_NS, many: true } }) },
        }),
      },
    }),
  },
  Filters: { ns: QUERY_NS, parts: () => ({ Filter: { ns: QUERY_NS, many: true, parts: () => FILTER } }) },
};

const QUERY: Shape = {
  EntityName: { ns: QUERY_NS },
  ColumnSet: { ns: QUERY_NS, typeNs: QUERY_NS, parts: () => COLUMN_SET },
  Distinct: { ns: QUERY_NS },
  Criteria: { ns: QUERY_NS, parts: () => FILTER },
  Orders: {
    ns: QUERY_NS,
    parts: () => ({
      Order: {
        ns: QUERY_NS,
        many: true,
        parts: () => ({ AttributeName: { ns: QUERY_NS }, OrderType: { ns: QUERY_NS } }),
      },
    }),
  },
  PageInfo: {
    ns: QUERY_NS,
    parts: () => ({
      PageNumber: { ns: QUERY_NS },
      Count: { ns: QUERY_NS },
      PagingCookie: { ns: QUERY_NS },
      PageCookie: { ns: QUERY_NS },
    }),
  },
};

const ENTITY_NAME_AND_ID: Shape = { entityName: { ns: WS_NS }, id: { ns: WS_NS } };

/** The parameters of each operation's wrapper element. */
const WRAPPERS: Record<string, Shape> = {
  Execute: { Request: { ns: WS_NS, typeNs: WS_NS } },
  Retrieve: { ...ENTITY_NAME_AND_ID, columnSet: { ns: WS_NS, typeNs: QUERY_NS, parts: () => COLUMN_SET } },
  RetrieveMultiple: { query: { ns: WS_NS, typeNs: QUERY_NS, parts: () => QUERY } },
  // The attributes of an entity are checked against the entity's metadata when the call runs.
  Create: { entity: { ns: WS_NS, typeNs: WS_NS } },
  Update: { entity: { ns: WS_NS, typeNs: WS_NS } },
  Delete: ENTITY_NAME_AND_ID,
};

/**
 * The `xsi:type` of an element as a resolved QName; undefined when absent. An undeclared prefix is
 * a client fault, as XmlSerializer cannot read the type.
 */
export function xsiType(node: XmlValue): { ns: string; local: string } | undefined {
  const raw = nsAttr(node, XSI_NS, 'type');
  if (raw === undefined) return undefined;
  const resolved = resolveQName(node, raw);
  if (!resolved) {
    throw new CrmFault(
      'InvalidArgument',
      `The xsi:type '${raw}' of <${node.name}> uses an undeclared prefix.`,
      'Client',
    );
  }
  return resolved;
}

function checkType(node: XmlValue, ns: string): void {
  const type = xsiType(node);
  if (type && type.ns !== ns) {
    throw new CrmFault(
      'InvalidArgument',
      `The specified type was not recognized: name='${type.local}', namespace='${type.ns}', at <${node.local} xmlns='${node.ns}'>.`,
      'Client',
    );
  }
}

function walk(node: XmlValue, shape: Shape): void {
  const seen = new Set<string>();
  for (const c of node.children) {
    const part = Object.prototype.hasOwnProperty.call(shape, c.local) ? shape[c.local] : undefined;
    if (!part || part.ns !== c.ns) continue;
    if (!part.many) {
      if (seen.has(c.local))
        throw new SoapParseError('invalid-envelope', `The element '${c.local}' may appear only once here.`);
      seen.add(c.local);
    }
    if (part.typeNs !== undefined) checkType(c, part.typeNs);
    if (part.parts) walk(c, part.parts());
  }
}

/** Checks the body element of a CrmService operation (its wrapper already known to be `ws`). */
export function checkCrmBody(operation: string, body: XmlValue): void {
  const shape = WRAPPERS[operation];
  if (shape) walk(body, shape);
}
