// decodeVsRawParseRatio: crm-auth's parseRetrieveMultipleResponse on a 5,000-entity
// RetrieveMultiple response (its own reader, every check, namespaces, entities and the typed
// records) against a raw fast-xml-parser parse of the same bytes with the options a hardened
// reader needs (RAW_PARSER_OPTIONS below: order kept, attributes kept, no coercion, no entity
// processing), the options crm-auth's decoder used while it ran on fast-xml-parser. Interleaved
// rounds, medians.
import { createRequire } from 'node:module';
import { XMLParser } from 'fast-xml-parser';
import { median, now, round } from '../lib/util.mjs';

const require = createRequire(import.meta.url);
const { parseRetrieveMultipleResponse } = require('@onbehalf/crm-auth');

/** The baseline's options: a tree with every element in order and no coercion or entity work. */
export const RAW_PARSER_OPTIONS = Object.freeze({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: false,
  cdataPropName: '#cdata',
  commentPropName: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 64,
  onDangerousProperty: (name) => name,
});

export const name = 'decode';

const ENTITIES = 5000;
const ROUNDS = 15;
const WARMUP = 3;

/** One account as CRM 4.0 writes it in a RetrieveMultiple result: text, lookups with names, dates. */
function entity(i) {
  const hex = i.toString(16).toUpperCase().padStart(12, '0');
  return (
    `<BusinessEntity xsi:type="account">` +
    `<accountid>{8A6B3C2D-1E0F-4A5B-9C8D-${hex}}</accountid>` +
    `<name>Woodgrove &amp; Partners ${i}</name>` +
    `<accountnumber>AC-${String(i).padStart(6, '0')}</accountnumber>` +
    `<telephone1>+1 425 555 ${String(i % 10000).padStart(4, '0')}</telephone1>` +
    `<ownerid type="systemuser" name="Jon Wilson">{C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C}</ownerid>` +
    `<createdby type="systemuser" name="Jon Wilson">{C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C}</createdby>` +
    `<createdon date="11/23/2026" time="6:02 AM">2026-11-23T06:02:11-08:00</createdon>` +
    `<createdonbehalfby type="systemuser" name="ERP_Integration">{5B2E7C1A-9F34-4D6E-8B01-2A7C3E9D4F60}</createdonbehalfby>` +
    `<modifiedby type="systemuser" name="Jon Wilson">{C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C}</modifiedby>` +
    `<modifiedon date="11/23/2026" time="6:02 AM">2026-11-23T06:02:11-08:00</modifiedon>` +
    `<modifiedonbehalfby type="systemuser" name="ERP_Integration">{5B2E7C1A-9F34-4D6E-8B01-2A7C3E9D4F60}</modifiedonbehalfby>` +
    `<statecode name="Active">Active</statecode>` +
    `</BusinessEntity>`
  );
}

export function buildResponse(n = ENTITIES) {
  const parts = [];
  for (let i = 0; i < n; i++) parts.push(entity(i));
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
    `<soap:Body><RetrieveMultipleResponse xmlns="http://schemas.microsoft.com/crm/2007/WebServices">` +
    `<RetrieveMultipleResult xmlns:q1="http://schemas.microsoft.com/crm/2006/WebServices" EntityName="account" MoreRecords="1" PagingCookie="&lt;cookie page=&quot;1&quot;&gt;&lt;accountid last=&quot;{8A6B3C2D}&quot; /&gt;&lt;/cookie&gt;">` +
    `<BusinessEntities xmlns="http://schemas.microsoft.com/crm/2006/WebServices">${parts.join('')}</BusinessEntities>` +
    `</RetrieveMultipleResult></RetrieveMultipleResponse></soap:Body></soap:Envelope>`
  );
}

export async function run() {
  const xml = buildResponse();
  const bytes = Buffer.byteLength(xml);
  const options = { maxBytes: bytes + 1024 };
  const checked = parseRetrieveMultipleResponse(xml, options);
  if (checked.entities.length !== ENTITIES)
    throw new Error(`the decoder read ${checked.entities.length} entities, not ${ENTITIES}`);
  const raw = new XMLParser(RAW_PARSER_OPTIONS);
  const rawOut = raw.parse(xml);
  // preserveOrder: an array of nodes, the declaration ignored, the envelope the only element.
  if (!Array.isArray(rawOut) || !rawOut.some((node) => 'soap:Envelope' in node))
    throw new Error('the raw parse did not read the envelope');

  // Timed in CPU time of this process (process.cpuUsage), not wall time: on a shared machine the
  // wall time of a one-second parse swings by 2x with the neighbours' load; CPU time hardly does.
  const rawCpu = [];
  const decodeCpu = [];
  const rawWall = [];
  const decodeWall = [];
  for (let i = 0; i < ROUNDS + WARMUP; i++) {
    // Alternate which goes first, so drift and GC debt hit both alike.
    const order = i % 2 ? ['decode', 'raw'] : ['raw', 'decode'];
    for (const which of order) {
      const c = process.cpuUsage();
      const t = now();
      if (which === 'raw') raw.parse(xml);
      else parseRetrieveMultipleResponse(xml, options);
      const wall = now() - t;
      const d = process.cpuUsage(c);
      const cpu = (d.user + d.system) / 1000;
      if (i < WARMUP) continue;
      if (which === 'raw') {
        rawCpu.push(cpu);
        rawWall.push(wall);
      } else {
        decodeCpu.push(cpu);
        decodeWall.push(wall);
      }
    }
  }
  const r = median(rawCpu);
  const d = median(decodeCpu);
  return {
    figures: {
      decodeVsRawParseRatio: {
        value: round(d / r, 2),
        target: '<= 1.5',
        pass: d / r <= 1.5,
        note: `CPU-time medians of ${ROUNDS}: decode ${round(d, 0)} ms vs raw ${round(r, 0)} ms, ${round(bytes / 1048576, 2)} MiB`,
      },
    },
    details: {
      rawParserOptions: 'RAW_PARSER_OPTIONS (bench/suites/decode.mjs)',
      entities: ENTITIES,
      bytes,
      rounds: ROUNDS,
      rawCpuMedianMs: round(r, 1),
      decodeCpuMedianMs: round(d, 1),
      rawWallMedianMs: round(median(rawWall), 1),
      decodeWallMedianMs: round(median(decodeWall), 1),
      wallRatio: round(median(decodeWall) / median(rawWall), 2),
    },
  };
}
