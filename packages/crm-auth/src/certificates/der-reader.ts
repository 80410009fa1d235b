/**
 * A minimal DER reader that reports byte ranges. Signatures cover exact bytes (a CRL's
 * tbsCertList, a Name compared by its encoding), so these are sliced from the input rather than
 * re-encoded from a parsed tree. Internal to the certificates folder.
 */

/** One DER element: its tag byte and where its header and content sit in the buffer. */
export interface DerElement {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the element. */
  end: number;
}

/** DER tag bytes used by the X.509 and CRL structures read here. */
export const DerTag = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
  CONTEXT_0: 0xa0,
  CONTEXT_3: 0xa3,
} as const;

/** Thrown for input that is not valid DER; callers turn it into their own error. */
export class DerError extends Error {}

/** Reads the element that starts at `offset`, checking that it fits inside `limit`. */
export function readElement(buf: Buffer, offset: number, limit = buf.length): DerElement {
  if (offset + 2 > limit) throw new DerError('truncated DER header');
  const tag = buf[offset] as number;
  // High-tag-number form never occurs in X.509/CRL structures; refusing it keeps the reader small.
  if ((tag & 0x1f) === 0x1f) throw new DerError('unsupported DER tag');
  const first = buf[offset + 1] as number;
  let length: number;
  let headerLength: number;
  if (first < 0x80) {
    length = first;
    headerLength = 2;
  } else {
    const count = first & 0x7f;
    // 0x80 is BER's indefinite length, which DER forbids; more than 4 length bytes is absurd here.
    if (count === 0 || count > 4) throw new DerError('invalid DER length');
    if (offset + 2 + count > limit) throw new DerError('truncated DER length');
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + (buf[offset + 2 + i] as number);
    headerLength = 2 + count;
  }
  const end = offset + headerLength + length;
  if (end > limit) throw new DerError('DER element overruns its container');
  return { tag, start: offset, contentStart: offset + headerLength, end };
}

/** Lists the direct children of a constructed element. */
export function readChildren(buf: Buffer, parent: DerElement): DerElement[] {
  if ((parent.tag & 0x20) === 0) throw new DerError('not a constructed DER element');
  const out: DerElement[] = [];
  let offset = parent.contentStart;
  while (offset < parent.end) {
    const child = readElement(buf, offset, parent.end);
    out.push(child);
    offset = child.end;
    // A cap on children keeps hostile input from building huge arrays in one go.
    if (out.length > 1_000_000) throw new DerError('too many DER elements');
  }
  return out;
}

/** The whole input as one element, refusing trailing bytes. */
export function readRoot(buf: Buffer): DerElement {
  const root = readElement(buf, 0);
  if (root.end !== buf.length) throw new DerError('trailing bytes after DER element');
  return root;
}

/** The bytes of an element, header included. */
export function elementBytes(buf: Buffer, el: DerElement): Buffer {
  return buf.subarray(el.start, el.end);
}

/** The content bytes of an element. */
export function contentBytes(buf: Buffer, el: DerElement): Buffer {
  return buf.subarray(el.contentStart, el.end);
}

/** Decodes an OBJECT IDENTIFIER element's content to dotted form. */
export function readOid(buf: Buffer, el: DerElement): string {
  if (el.tag !== DerTag.OID) throw new DerError('expected an OBJECT IDENTIFIER');
  const bytes = contentBytes(buf, el);
  if (bytes.length === 0) throw new DerError('empty OBJECT IDENTIFIER');
  const parts: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    // X.690 8.19.2: no subidentifier starts with 0x80, so each OID has one encoding.
    if (value === 0 && byte === 0x80) throw new DerError('OBJECT IDENTIFIER arc not minimally encoded');
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER) throw new DerError('OBJECT IDENTIFIER arc too large');
    if ((byte & 0x80) === 0) {
      if (parts.length === 0) {
        const head = value < 80 ? Math.floor(value / 40) : 2;
        parts.push(head, value - head * 40);
      } else {
        parts.push(value);
      }
      value = 0;
    }
  }
  // The last byte of a subidentifier has bit 8 clear: a set bit here means the arc is cut short.
  if (((bytes[bytes.length - 1] as number) & 0x80) !== 0) throw new DerError('truncated OBJECT IDENTIFIER');
  return parts.join('.');
}

/** Decodes a UTCTime or GeneralizedTime element (the forms RFC 5280 allows: UTC, `Z`). */
export function readTime(buf: Buffer, el: DerElement): Date {
  const text = contentBytes(buf, el).toString('latin1');
  let match: RegExpMatchArray | null;
  let year: number;
  if (el.tag === DerTag.UTC_TIME) {
    match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (!match) throw new DerError('invalid UTCTime');
    const yy = Number(match[1]);
    // RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY, else 20YY.
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (el.tag === DerTag.GENERALIZED_TIME) {
    match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (!match) throw new DerError('invalid GeneralizedTime');
    year = Number(match[1]);
  } else {
    throw new DerError('expected a time');
  }
  const [, , mo, d, h, mi, s] = match;
  const time = new Date(Date.UTC(year, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  // Date.UTC rolls fields over (month 13, 30 February, hour 24, second 60) and reads years 0–99
  // as 19xx: a time that does not read back field for field names no real instant.
  const spelled = `${String(year).padStart(4, '0')}-${mo ?? ''}-${d ?? ''}T${h ?? ''}:${mi ?? ''}:${s ?? ''}.000Z`;
  if (time.toISOString() !== spelled) throw new DerError('invalid time');
  return time;
}

/** True when the element is a UTCTime or GeneralizedTime. */
export function isTime(el: DerElement | undefined): el is DerElement {
  return el !== undefined && (el.tag === DerTag.UTC_TIME || el.tag === DerTag.GENERALIZED_TIME);
}

/** An INTEGER's magnitude as upper-case hex without leading zeros (`0` for zero), as serials compare. */
export function readSerialHex(buf: Buffer, el: DerElement): string {
  if (el.tag !== DerTag.INTEGER) throw new DerError('expected an INTEGER');
  return normalizeSerialHex(contentBytes(buf, el).toString('hex'));
}

/** Normalises a hex serial number: upper case, no leading zeros, no separators. */
export function normalizeSerialHex(hex: string): string {
  const cleaned = hex.replace(/[\s:]/g, '').toUpperCase().replace(/^0+/, '');
  return cleaned === '' ? '0' : cleaned;
}
