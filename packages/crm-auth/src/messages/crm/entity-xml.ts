/**
 * Entities and column sets as CrmService 2007 writes them (docs/protocol.md §5.3, §5.6). Attribute
 * elements are matched by local name; a `type` attribute marks a reference (Lookup, Owner, Customer).
 */
import { CrmAuthError } from '../../errors';
import { attr, resolveQName, type XmlElement, xmlTrim } from '../../xml/xml-element';
import { assertSafeName, el, type XNode } from '../../xml/xml-writer';
import { requireGuid, requireText } from '../arguments';
import { NS } from '../constants';
import { f, type ReadContext, unexpected } from '../fields';
import type { ActivityPartyList, AttributeValue, Entity, Lookup } from '../types';
import { isBracedGuid, toBool, toBracedGuid, toGuid } from '../values';

/** `<name xsi:type="logicalName">` with one child per attribute; references as `{GUID}` with `type` (and `name`). */
export function entityNode(elementName: string, entity: Entity): XNode {
  assertSafeName(entity.logicalName, 'entity.logicalName');
  const children: XNode[] = [];
  for (const [key, value] of Object.entries(entity.attributes)) {
    assertSafeName(key, 'entity attribute name');
    if (Array.isArray(value)) {
      // An activity-party list: one activityparty element per party, its attributes inside.
      const parties = value.map((party) =>
        el(
          'activityparty',
          null,
          Object.entries(party).map(([k, v]) => {
            assertSafeName(k, `activity party attribute of ${key}`);
            return valueNode(k, v);
          }),
        ),
      );
      children.push(el(key, null, parties));
      continue;
    }
    children.push(valueNode(key, value));
  }
  return el(elementName, [['xsi:type', entity.logicalName]], children);
}

/** `<key>text</key>`, or a reference as `<key type="…" name="…">{GUID}</key>`. */
function valueNode(key: string, value: string | Lookup): XNode {
  if (typeof value === 'string') return el(key, null, value);
  const type = requireText(value.type, `lookup type of ${key}`);
  assertSafeName(type, `lookup type of ${key}`);
  const attrs: [string, string][] = [['type', type]];
  if (value.name !== undefined) attrs.push(['name', value.name]);
  // CRM writes keys as upper-case `{GUID}`; both sides accept any form.
  return el(key, attrs, toBracedGuid(requireGuid(value.id, `lookup id of ${key}`)));
}

/** Reads an entity element: `xsi:type` is the logical name, each child one attribute. */
export function readEntity(entity: XmlElement, ctx: ReadContext): Entity {
  const rawType = attr(entity, NS.xsi, 'type');
  const logicalName = rawType === undefined ? undefined : resolveQName(entity, rawType)?.name;
  if (!logicalName) throw unexpected(ctx, `${entity.name} has no xsi:type naming the entity`);
  const attributes: Record<string, AttributeValue> = {};
  const seen = new Set<string>(); // nulls included: `<name IsNull="1"/><name>x</name>` is a duplicate
  for (const a of entity.children) {
    const key = a.name;
    if (Object.prototype.hasOwnProperty.call(attributes, key) || seen.has(key))
      throw unexpected(ctx, `attribute ${key} appears twice`);
    seen.add(key);
    // IsNull="true" or "1" (an xs:boolean) is CRM's explicit null; the Entity shape has no null,
    // so the attribute is absent.
    if (isNull(a)) continue;
    if (a.children.length > 0) {
      attributes[key] = readPartyList(a, ctx);
      continue;
    }
    attributes[key] = readValue(a, ctx);
  }
  return { logicalName, attributes };
}

function isNull(a: XmlElement): boolean {
  const value = attr(a, '', 'IsNull');
  return value !== undefined && toBool(xmlTrim(value)) === true;
}

/** One attribute element without children: text, a GUID key, or a reference. */
function readValue(a: XmlElement, ctx: ReadContext): string | Lookup {
  const key = a.name;
  // The parser refuses `<__proto__>`, not `<x:__proto__>` (same local name); objects are keyed by wire data.
  if (key === '__proto__') throw unexpected(ctx, 'forbidden attribute name');
  const text = xmlTrim(a.text);
  const type = attr(a, '', 'type');
  if (type === undefined) return isBracedGuid(text) ? text.slice(1, -1).toLowerCase() : text;
  const id = toGuid(text);
  if (id === undefined) throw unexpected(ctx, `reference ${key} does not hold a GUID`);
  const lookup: Lookup = { id, type: xmlTrim(type) };
  const name = attr(a, '', 'name');
  if (name !== undefined) lookup.name = name;
  return lookup;
}

/**
 * An attribute holding elements is an activity-party list (`<to><activityparty><partyid …>`): each
 * activityparty becomes the record of its attributes. Any other element content is refused.
 */
function readPartyList(a: XmlElement, ctx: ReadContext): ActivityPartyList {
  const parties: ActivityPartyList = [];
  for (const party of a.children) {
    if (party.name !== 'activityparty') throw unexpected(ctx, `attribute ${a.name} holds elements`);
    const fields: Record<string, string | Lookup> = {};
    const seen = new Set<string>(); // nulls included, as in readEntity
    for (const f of party.children) {
      if (f.children.length > 0) throw unexpected(ctx, `activity party of ${a.name} nests elements`);
      if (seen.has(f.name)) throw unexpected(ctx, `activity party attribute ${f.name} appears twice`);
      seen.add(f.name);
      if (isNull(f)) continue;
      fields[f.name] = readValue(f, ctx);
    }
    parties.push(fields);
  }
  return parties;
}

/** `ColumnSet` (`q1:Attributes/q1:Attribute*`) or `AllColumns`, typed with the q1 prefix. */
export function columnSetNode(elementName: string, columns: string[] | 'all', declareQuery: boolean): XNode {
  const decl: [string, string][] = declareQuery ? [['xmlns:q1', NS.q]] : [];
  if (columns === 'all') return el(elementName, [...decl, ['xsi:type', 'q1:AllColumns']]);
  if (!Array.isArray(columns))
    throw new CrmAuthError('ERR_INVALID_OPTIONS', 'columns must be an array of names or "all"');
  const names = columns.map((c) => {
    assertSafeName(c, 'column name');
    return el('q1:Attribute', null, c);
  });
  return el(elementName, [...decl, ['xsi:type', 'q1:ColumnSet']], [el('q1:Attributes', null, names)]);
}

const COLUMN_NAMES = f.list('Attributes/Attribute', f.nonEmpty('.'));

/** Reads a column set: `'all'` for AllColumns, else the attribute names in order. */
export function readColumnSet(columnSet: XmlElement, ctx: ReadContext): string[] | 'all' {
  const rawType = attr(columnSet, NS.xsi, 'type');
  const type = rawType === undefined ? 'ColumnSet' : resolveQName(columnSet, rawType)?.name;
  if (type === 'AllColumns') return 'all';
  if (type !== 'ColumnSet')
    throw unexpected(ctx, `unsupported column set type ${type ?? '(undeclared prefix)'}`);
  return COLUMN_NAMES.read(columnSet, ctx);
}
