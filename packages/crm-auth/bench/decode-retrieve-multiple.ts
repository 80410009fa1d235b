/**
 * Decoding a 5,000-entity RetrieveMultiple response must cost at most 1.5× a raw fast-xml-parser
 * parse of the same bytes (docs/architecture.md §9). Prints both timings and the ratio; not a test.
 *
 *   pnpm --filter @onbehalf/crm-auth bench:decode     (after `pnpm --filter @onbehalf/crm-auth build`)
 */
import { XMLParser } from 'fast-xml-parser';
import { parseRetrieveMultipleResponse } from '../src/messages/crm/retrieve-multiple';

const ENTITIES = 5000;
const ROUNDS = 15;

function entity(i: number): string {
  const hex = i.toString(16).toUpperCase().padStart(12, '0');
  return (
    `<BusinessEntity xmlns="http://schemas.microsoft.com/crm/2006/WebServices" xsi:type="account">` +
    `<accountid>{8A6B3C2D-1E0F-4A5B-9C8D-${hex}}</accountid>` +
    `<name>Fourth Coffee &amp; Sons ${i}</name>` +
    `<accountnumber>00${i}</accountnumber>` +
    `<createdby type="systemuser" name="Jon Wilson" dsc="0">{C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C}</createdby>` +
    `<createdon date="11/23/2026" time="6:02 AM">2026-11-23T06:02:11-08:00</createdon>` +
    `<createdonbehalfby type="systemuser" name="ERP_Integration" dsc="0">{5B2E7C1A-9F34-4D6E-8B01-2A7C3E9D4F60}</createdonbehalfby>` +
    `<modifiedby type="systemuser" name="Jon Wilson" dsc="0">{C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C}</modifiedby>` +
    `<modifiedonbehalfby type="systemuser" name="ERP_Integration" dsc="0">{5B2E7C1A-9F34-4D6E-8B01-2A7C3E9D4F60}</modifiedonbehalfby>` +
    `<statuscode name="Active">1</statuscode>` +
    `</BusinessEntity>\n`
  );
}

const body = Array.from({ length: ENTITIES }, (_, i) => entity(i)).join('');
const xml =
  `<?xml version="1.0" encoding="utf-8"?>\n` +
  `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
  `<soap:Body><RetrieveMultipleResponse xmlns="http://schemas.microsoft.com/crm/2007/WebServices">` +
  `<RetrieveMultipleResult EntityName="account" MoreRecords="1" PagingCookie="&lt;cookie page=&quot;1&quot;/&gt;">` +
  `<BusinessEntities>\n${body}</BusinessEntities></RetrieveMultipleResult></RetrieveMultipleResponse></soap:Body></soap:Envelope>\n`;
const bytes = Buffer.byteLength(xml);

// "Raw" = the least configuration that can read this message at all: attributes on, defaults otherwise.
const raw = new XMLParser({ ignoreAttributes: false });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function time(fn: () => unknown): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

// Sanity first: the decoder really read every entity.
const check = parseRetrieveMultipleResponse(xml, { maxBytes: bytes });
if (check.entities.length !== ENTITIES) throw new Error(`decoded ${check.entities.length} entities`);

const rawTimes: number[] = [];
const decodeTimes: number[] = [];
for (let i = 0; i < ROUNDS + 3; i++) {
  // Interleaved, so drift (GC, other processes on a shared machine) hits both alike.
  const r = time(() => raw.parse(xml));
  const d = time(() => parseRetrieveMultipleResponse(xml, { maxBytes: bytes }));
  if (i >= 3) {
    rawTimes.push(r);
    decodeTimes.push(d);
  }
}
const rawMs = median(rawTimes);
const decodeMs = median(decodeTimes);
const ratio = decodeMs / rawMs;
console.log(
  `RetrieveMultiple: ${ENTITIES} entities, ${(bytes / 1024 / 1024).toFixed(2)} MiB, median of ${ROUNDS}`,
);
console.log(`  raw fast-xml-parser parse      ${rawMs.toFixed(1)} ms`);
console.log(`  parseRetrieveMultipleResponse  ${decodeMs.toFixed(1)} ms`);
console.log(
  `  ratio                          ${ratio.toFixed(2)}× (target ≤ 1.50×) ${ratio <= 1.5 ? 'OK' : 'OVER'}`,
);
