import type { EntityRecord, OrgState, StoredAttr } from '../state/emulator-state.model';
import { escapeXmlAttr, escapeXmlText } from '../xml/xml-escape.util';

/** Resolves the display name of a referenced record at read time, as CRM joins it. */
export type NameResolver = (type: string, id: string) => string | undefined;

/** `{GUID}` in upper case, the form CRM writes keys and references in. */
export function braceGuid(id: string): string {
  return `{${id.toUpperCase()}}`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * A CrmDateTime: the text in the org's time zone with its offset, plus the display attributes
 * `date` and `time` (docs/protocol.md §5.3), e.g. `date="11/23/2026" time="6:02 AM"`.
 */
export function crmDateTime(ms: number, offsetMinutes: number): { text: string; date: string; time: string } {
  const local = new Date(ms + offsetMinutes * 60_000);
  const y = local.getUTCFullYear();
  const mo = local.getUTCMonth() + 1;
  const d = local.getUTCDate();
  const h = local.getUTCHours();
  const mi = local.getUTCMinutes();
  const s = local.getUTCSeconds();
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return {
    text: `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${offset}`,
    date: `${mo}/${d}/${y}`,
    time: `${h12}:${pad(mi)} ${h < 12 ? 'AM' : 'PM'}`,
  };
}

/**
 * One attribute element, e.g. `<q1:createdby type="systemuser" name="Jon Wilson" dsc="0">{…}</q1:createdby>`.
 * `prefix` (with its colon) names the 2007 WebServices namespace the entity type and its
 * attributes are in; the caller declares it.
 */
export function attributeXml(
  attrName: string,
  value: StoredAttr,
  primaryKey: string,
  org: OrgState,
  resolveName: NameResolver,
  prefix = '',
): string {
  const name = `${prefix}${attrName}`;
  switch (value.t) {
    case 's':
      return attrName === primaryKey
        ? `<${name}>${braceGuid(value.v)}</${name}>`
        : `<${name}>${escapeXmlText(value.v)}</${name}>`;
    case 'ref': {
      const display = resolveName(value.type, value.id) ?? value.name;
      const nameAttr = display === undefined ? '' : ` name="${escapeXmlAttr(display)}"`;
      return `<${name} type="${escapeXmlAttr(value.type)}"${nameAttr} dsc="0">${braceGuid(value.id)}</${name}>`;
    }
    case 'date': {
      const dt = crmDateTime(value.v, org.utcOffsetMinutes);
      return `<${name} date="${dt.date}" time="${dt.time}">${dt.text}</${name}>`;
    }
    case 'bool':
      return `<${name} name="${value.v ? 'Yes' : 'No'}">${value.v ? 'true' : 'false'}</${name}>`;
  }
}

/**
 * The attribute elements of a record, one per line at `indent`. With a column list, the requested
 * columns come in request order and the primary key is added when not asked for; CRM leaves out
 * attributes that hold no value.
 */
export function recordXml(
  record: EntityRecord,
  columns: string[] | 'all',
  primaryKey: string,
  org: OrgState,
  resolveName: NameResolver,
  indent: string,
  prefix = '',
): string {
  const names =
    columns === 'all'
      ? Object.keys(record.attrs)
      : columns.includes(primaryKey)
        ? columns
        : [...columns, primaryKey];
  let out = '';
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) continue;
    seen.add(name);
    const value = record.attrs[name];
    if (value === undefined) continue;
    out += `${indent}${attributeXml(name, value, primaryKey, org, resolveName, prefix)}\n`;
  }
  return out;
}
