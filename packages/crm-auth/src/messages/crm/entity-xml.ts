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
import type { AttributeValue, Entity, Lookup } from '../types';
import { isBracedGuid, toBracedGuid, toGuid } from '../values';

/** `<name xsi:type="logicalName">` with one child per attribute; references as `{GUID}` with `type` (and `name`). */
export function entityNode(elementName: string, entity: Entity): XNode {
  assertSafeName(entity.logicalName, 'entity.logicalName');
  const children: XNode[] = [];
  for (const [key, value] of Object.entries(entity.attributes)) {
    assertSafeName(key, 'entity attribute name');
    if (typeof value === 'string') {
      children.push(el(key, null, value));
      continue;
    }
    const type = requireText(value.type, `lookup type of ${key}`);
    assertSafeName(type, `lookup type of ${key}`);
    const attrs: [string, string][] = [['type', type]];
    if (value.name !== undefined) attrs.push(['name', value.name]);
    // CRM writes keys as upper-case `{GUID}`; both sides accept any form.
    children.push(el(key, attrs, toBracedGuid(requireGuid(value.id, `lookup id of ${key}`))));
  }
  return el(elementName, [['xsi:type', entity.logicalName]], children);
}

/** Reads an entity element: `xsi:type` is the logical name, each child one attribute. */
export function readEntity(entity: XmlElement, ctx: ReadContext): Entity {
  const rawType = attr(entity, NS.xsi, 'type');
  const logicalName = rawType === undefined ? undefined : resolveQName(entity, rawType)?.name;
  if (!logicalName) throw unexpected(ctx, `${entity.name} has no xsi:type naming the entity`);
  const attributes: Record<string, AttributeValue> = {};
  for (const a of entity.children) {
    const key = a.name;
    // Never reached (the parser refuses the name); kept because this object is keyed by wire data.
    if (key === '__proto__') throw unexpected(ctx, 'forbidden attribute name');
    if (Object.prototype.hasOwnProperty.call(attributes, key))
      throw unexpected(ctx, `attribute ${key} appears twice`);
    if (a.children.length > 0) throw unexpected(ctx, `attribute ${key} holds elements`);
    // IsNull="true" is CRM's explicit null; the Entity shape has no null, so the attribute is absent.
    if (attr(a, '', 'IsNull') === 'true') continue;
    const text = xmlTrim(a.text);
    const type = attr(a, '', 'type');
    if (type === undefined) {
      attributes[key] = isBracedGuid(text) ? text.slice(1, -1).toLowerCase() : text;
      continue;
    }
    const id = toGuid(text);
    if (id === undefined) throw unexpected(ctx, `reference ${key} does not hold a GUID`);
    const lookup: Lookup = { id, type: xmlTrim(type) };
    const name = attr(a, '', 'name');
    if (name !== undefined) lookup.name = name;
    attributes[key] = lookup;
  }
  return { logicalName, attributes };
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
