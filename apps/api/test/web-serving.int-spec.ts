import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient, startTestApi, type TestApi } from './harness';

describe('serving the console', () => {
  let t: TestApi;
  beforeAll(async () => {
    const dist = mkdtempSync(join(tmpdir(), 'onbehalf-web-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Onbehalf console</title>');
    writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1)');
    t = await startTestApi({ ONBEHALF_WEB_DIST: dist });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers client-side routes with the console shell', async () => {
    for (const path of ['/', '/login', '/orgs/123', '/audit?orgId=x']) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain('Onbehalf console');
    }
  });

  it('serves assets, and 404s a missing asset instead of the shell', async () => {
    expect(await (await fetch(`${t.url}/assets/app.js`)).text()).toContain('console.log');
    expect((await fetch(`${t.url}/assets/missing.js`)).status).toBe(404);
  });

  it('answers unknown API paths with a JSON 404, never the shell', async () => {
    const res = await fetch(`${t.url}/api/does-not-exist`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/json/);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
    const health = await fetch(`${t.url}/api/health`);
    expect(health.headers.get('content-type')).toMatch(/json/);
  });

  it('serves the OpenAPI document only behind a session', async () => {
    expect((await fetch(`${t.url}/api/docs/openapi.json`)).status).toBe(401);
    const c = new ConsoleClient(t.url);
    expect((await c.login(t.adminEmail, t.adminPassword)).status).toBe(200);
    const doc = await c.get('/api/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(((await doc.json()) as { paths: Record<string, unknown> }).paths['/api/orgs']).toBeTruthy();
  });

  it('serves the committed OpenAPI document (apps/api/openapi.json, made without a server by npm run openapi)', async () => {
    const c = new ConsoleClient(t.url);
    expect((await c.login(t.adminEmail, t.adminPassword)).status).toBe(200);
    const served = await (await c.get('/api/docs/openapi.json')).json();
    const committed = JSON.parse(readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8')) as unknown;
    expect(served).toEqual(committed);
  });

  it('sends security headers (CSP, no framing)', async () => {
    const res = await fetch(`${t.url}/login`);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('sends the same security headers on API replies, errors and the CSV export it streams itself', async () => {
    const c = new ConsoleClient(t.url);
    expect((await c.login(t.adminEmail, t.adminPassword)).status).toBe(200);
    for (const res of [
      await c.get('/api/orgs'),
      await fetch(`${t.url}/api/does-not-exist`),
      await c.get('/api/audit/export.csv'),
    ]) {
      expect(res.headers.get('content-security-policy'), res.url).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-frame-options'), res.url).toBe('SAMEORIGIN');
      expect(res.headers.get('x-content-type-options'), res.url).toBe('nosniff');
      await res.arrayBuffer();
    }
  });
});
