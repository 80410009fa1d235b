/**
 * Conversions of wire text to typed values, shared by the field tables and the builders.
 * Each returns undefined on bad input; the caller turns that into an error naming the field.
 */

const GUID = /^\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}?$/;
const BRACED_GUID = /^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/;

/** A GUID with or without braces, any case → lower case without braces; undefined if not a GUID. */
export function toGuid(s: string): string | undefined {
  const m = GUID.exec(s);
  // Braces must pair: `{abc…` alone is not a key.
  if (!m?.[1] || s.startsWith('{') !== s.endsWith('}')) return undefined;
  return m[1].toLowerCase();
}

/** True for `{GUID}`: how CRM writes Key and UniqueIdentifier values. */
export function isBracedGuid(s: string): boolean {
  return BRACED_GUID.test(s);
}

/** `{GUID}` in upper case, as CRM writes keys (docs/protocol.md §5.3). Input must already be a GUID. */
export function toBracedGuid(guid: string): string {
  return `{${guid.toUpperCase()}}`;
}

/** xs:boolean: `1`, `0`, `true`, `false` (and .NET's `True`/`False`). */
export function toBool(s: string): boolean | undefined {
  switch (s.toLowerCase()) {
    case '1':
    case 'true':
      return true;
    case '0':
    case 'false':
      return false;
    default:
      return undefined;
  }
}

/** A decimal integer in the safe range. */
export function toInt(s: string): number | undefined {
  if (!/^[+-]?[0-9]{1,15}$/.test(s)) return undefined;
  return Number(s);
}

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * .NET's invariant and en-US forms, month first: `11/23/2026 22:00:00`, `11/23/2026 10:00:00 PM`,
 * and a DateTimeOffset's `11/23/2026 10:00:00 PM -08:00`.
 */
const DOTNET_DATE =
  /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: +(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(?: *([AP]M))?)?(?: *(Z|[+-]\d{1,2}(?::?\d{2})?))?$/i;

/**
 * A date-time as a CRM 4.0 server could write it (docs/protocol.md §9.2): ISO 8601 with `Z`, an
 * offset or no zone, or .NET's month-first invariant and en-US forms (`11/23/2026 10:00:00 PM`, with
 * or without an offset). No zone is read as UTC. Fractions beyond milliseconds (.NET writes seven
 * digits) are truncated. Undefined when not a valid date.
 */
export function toDate(s: string): Date | undefined {
  const iso = ISO_DATE.exec(s);
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone = 'Z'] = iso;
    return build(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec), frac, zone);
  }
  const net = DOTNET_DATE.exec(s);
  if (!net) return undefined;
  const [, mo, d, y, h = '0', mi = '0', sec = '0', frac = '', ampm, zone = 'Z'] = net;
  let hour = Number(h);
  if (ampm) {
    // 12-hour clock: 12 AM is midnight, 12 PM is noon; 0 and 13+ do not exist.
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (ampm.toUpperCase() === 'PM' ? 12 : 0);
  }
  return build(Number(y), Number(mo), Number(d), hour, Number(mi), Number(sec), frac, zone);
}

function build(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  frac: string,
  zone: string,
): Date | undefined {
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = Number(frac.slice(0, 3).padEnd(3, '0'));
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const [oh, om] = offsetParts(zone.slice(1));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  // setUTCFullYear, not Date.UTC, which reads years 0–99 as 1900–1999 (.NET's 0001-01-01 is year 1).
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  // Day 0, day 32 and 2026-02-31 roll over into another day of the month: refused.
  if (date.getUTCDate() !== day) return undefined;
  date.setUTCHours(hour, minute, Math.min(second, 59), ms);
  return new Date(date.getTime() - offsetMinutes * 60_000);
}

/** `08:00`, `0800`, `08`, `8`, `8:00` → hours and minutes. */
function offsetParts(text: string): [number, number] {
  if (text.includes(':')) {
    const [h = '', m = ''] = text.split(':');
    return [Number(h), Number(m)];
  }
  if (text.length > 2) return [Number(text.slice(0, text.length - 2)), Number(text.slice(-2))];
  return [Number(text), 0];
}
