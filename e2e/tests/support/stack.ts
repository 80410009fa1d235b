// Where the stack under test keeps its files, and typed helpers for the API and the emulator's control API.
// The tests drive the console; these helpers only prepare data a test does not itself exercise.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, request as playwrightRequest, type APIRequestContext, type Page } from '@playwright/test';
import { dataDir, emulatorURL } from '../../playwright.config';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const stackDir = path.join(repoRoot, dataDir);

/** The demo service account's files, written by the emulator at start. */
export const demoFiles = {
  dir: path.join(stackDir, 'demo'),
  certPem: path.join(stackDir, 'demo', 'erp_integration.crt.pem'),
  keyPem: path.join(stackDir, 'demo', 'erp_integration.key.pem'),
  chainPem: path.join(stackDir, 'demo', 'erp_integration.chain.pem'),
  pfx: path.join(stackDir, 'demo', 'erp_integration.pfx'),
  /** The PKCS#12 password lives beside the emulator's PKI (it is also printed at start). */
  pfxPassword: () =>
    readFileSync(path.join(stackDir, 'emulator', 'pki', 'demo-pfx-password.txt'), 'utf8').trim(),
  liveId: 'erp_integration@contoso-isv.example',
};

export const discoveryUrl = `${emulatorURL}/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx`;

/** The demo certificate's SHA-1 thumbprint, computed here rather than trusted from the API. */
export function demoThumbprint(): { hex: string; base64: string } {
  const cert = new X509Certificate(readFileSync(demoFiles.certPem));
  const hex = cert.fingerprint.replace(/:/g, '').toUpperCase();
  // The SDK writes the base64 form without its padding.
  return { hex, base64: Buffer.from(hex, 'hex').toString('base64').replace(/=+$/, '') };
}

/** A short unique suffix, so every test creates its own data. */
export function unique(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

interface Org {
  id: string;
  friendlyName: string;
  discoveryUrl: string;
  status: string;
}

/** The signed-in console session's API, with the CSRF token unsafe requests need. */
export async function consoleApi(page: Page) {
  const me = await page.request.get('/api/auth/me');
  expect(me.status(), 'the page must be signed in').toBe(200);
  const { csrfToken } = (await me.json()) as { csrfToken: string };
  const check = async (res: Awaited<ReturnType<APIRequestContext['get']>>) => {
    expect(res.ok(), `${res.url()} → ${res.status()} ${await res.text()}`).toBe(true);
    return res.status() === 204 ? null : ((await res.json()) as unknown);
  };
  return {
    get: async <T>(url: string) => (await check(await page.request.get(url))) as T,
    post: async <T>(url: string, data: unknown) =>
      (await check(await page.request.post(url, { data, headers: { 'X-CSRF-Token': csrfToken } }))) as T,
  };
}

/** The demo certificate's id, uploading it (as PEM, through the API) when a test runs without the upload test. */
export async function ensureDemoCertificate(page: Page): Promise<string> {
  const api = await consoleApi(page);
  const { hex } = demoThumbprint();
  const { items } = await api.get<{ items: Array<{ id: string; thumbprintSha1Hex: string }> }>(
    '/api/certificates',
  );
  const found = items.find((c) => c.thumbprintSha1Hex.replace(/[^0-9a-f]/gi, '').toUpperCase() === hex);
  if (found) return found.id;
  const created = await api.post<{ id: string }>('/api/certificates', {
    name: 'ERP_Integration (e2e)',
    serviceAccountLiveId: demoFiles.liveId,
    format: 'pem',
    certificatePem: readFileSync(demoFiles.certPem, 'utf8'),
    privateKeyPem: readFileSync(demoFiles.keyPem, 'utf8'),
    chainPem: readFileSync(demoFiles.chainPem, 'utf8'),
  });
  return created.id;
}

/** An onboarded org by friendly name, onboarding it through the API when no earlier test did. */
export async function ensureOrg(page: Page, friendlyName: string): Promise<Org> {
  const api = await consoleApi(page);
  const { items } = await api.get<{ items: Org[] }>('/api/orgs');
  const found = items.find((o) => o.friendlyName === friendlyName && o.discoveryUrl === discoveryUrl);
  if (found) return found;
  const certificateId = await ensureDemoCertificate(page);
  const { org } = await api.post<{ org: Org }>('/api/orgs', { discoveryUrl, friendlyName, certificateId });
  return org;
}

/** The emulator's control API (loopback only, its own CA: HTTPS errors ignored). */
export async function emulatorControl(): Promise<APIRequestContext> {
  return playwrightRequest.newContext({ baseURL: emulatorURL, ignoreHTTPSErrors: true });
}

/** Where the screenshots reviewed by hand are kept. */
export function screen(name: string): { path: string; fullPage: true } {
  return { path: `artifacts/screens/${name}.png`, fullPage: true };
}
