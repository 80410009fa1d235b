/**
 * Fixture access for the message specs: the project's own corpus in `fixtures/` at the repository
 * root (its README states the decode contract), and an optional external corpus of the same layout.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CrmAuthError } from '../src/errors';
import type { CrmAuthenticationToken } from '../src/messages/types';

/** The project's corpus. */
export const FIXTURES_DIR = path.resolve(__dirname, '../../../fixtures');

/**
 * An external conformance corpus of the same layout, when ONBEHALF_CONFORMANCE_DIR names one (CI
 * points it at its own copy); undefined otherwise, and the suites run on the project's corpus only.
 */
export const EXTERNAL_FIXTURES_DIR: string | undefined = process.env['ONBEHALF_CONFORMANCE_DIR']
  ? path.resolve(process.env['ONBEHALF_CONFORMANCE_DIR'])
  : undefined;

/** Every corpus the conformance suites run against, the project's first. */
export const CORPORA: ReadonlyArray<{ label: string; dir: string }> = [
  { label: 'project fixtures', dir: FIXTURES_DIR },
  ...(EXTERNAL_FIXTURES_DIR ? [{ label: 'external corpus', dir: EXTERNAL_FIXTURES_DIR }] : []),
];

/** A fixture's XML text. */
export function fixtureXml(
  service: 'crm' | 'discovery' | 'wlid' | 'hostile',
  name: string,
  dir: string = FIXTURES_DIR,
): string {
  return readFileSync(path.join(dir, service, `${name}.xml`), 'utf8');
}

/** A fixture's expected decode output. */
export function fixtureJson(
  service: 'crm' | 'discovery' | 'wlid',
  name: string,
  dir: string = FIXTURES_DIR,
): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(dir, service, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/** The CRM ticket and Passport ticket used throughout the fixtures. */
export const CRM_TICKET = (fixtureJson('crm', 'whoami-request')['header'] as { crmTicket: string }).crmTicket;
export const PASSPORT_TICKET = (
  fixtureJson('discovery', 'retrieve-organizations-request')['body'] as { passportTicket: string }
).passportTicket;

/** The impersonating token of the CrmService request fixtures. */
export const TOKEN: CrmAuthenticationToken = {
  authenticationType: 1,
  crmTicket: CRM_TICKET,
  organizationName: 'contoso',
  callerId: 'c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c',
};

/** The same message in a SOAP 1.2 envelope (non-fault messages only). */
export function toSoap12(xml: string): string {
  return xml.replaceAll(
    'http://schemas.xmlsoap.org/soap/envelope/',
    'http://www.w3.org/2003/05/soap-envelope',
  );
}

/** Renames a namespace prefix everywhere it appears as a prefix (tags, declarations, QName values). */
export function renamePrefix(xml: string, from: string, to: string): string {
  return xml
    .replaceAll(`<${from}:`, `<${to}:`)
    .replaceAll(`</${from}:`, `</${to}:`)
    .replaceAll(`xmlns:${from}=`, `xmlns:${to}=`)
    .replaceAll(` ${from}:`, ` ${to}:`)
    .replaceAll(`"${from}:`, `"${to}:`)
    .replaceAll(`>${from}:`, `>${to}:`);
}

/** The CrmAuthError `fn` throws; fails the test when it throws nothing or something else. */
export function thrown(fn: () => unknown): CrmAuthError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CrmAuthError) return err;
    throw err;
  }
  throw new Error('expected a CrmAuthError, nothing was thrown');
}
