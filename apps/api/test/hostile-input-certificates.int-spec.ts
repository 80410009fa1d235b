import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestStack, type TestStack } from './harness';
import { hostileCertificates, type HostileCertificate } from './support/hostile-certificates';
import { RawClient } from './support/raw-client';

/** Where an upload could leave a trace. */
const TABLES = ['certificates', 'orgs', 'tickets'];

describe('hostile certificates and PKCS#12 files: a 4xx with a code, nothing stored', () => {
  let s: TestStack;
  let dir: string;
  let raw: RawClient;
  let corpus: { refused: HostileCertificate[]; weak: HostileCertificate | null };

  const counts = async () => {
    const out: Record<string, number> = {};
    for (const t of TABLES)
      out[t] = Number((await s.api.dataSource.query(`SELECT count(*)::int AS n FROM ${t}`))[0].n);
    return out;
  };
  const upload = async (c: HostileCertificate) => {
    const res = await raw.send('POST', '/api/certificates', c.raw ?? JSON.stringify(c.body));
    expect(res, c.kind).not.toBeNull();
    const text = await res!.text();
    return {
      status: res!.status,
      text,
      body: JSON.parse(text) as {
        code?: string;
        status?: string;
        details?: { problems?: { code: string; severity: string }[] };
        problems?: { code: string; severity: string }[];
      },
    };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'onbehalf-hostile-'));
    s = await startTestStack({}, { dataDir: join(dir, 'emulator') });
    raw = await RawClient.login(s.url, s.adminEmail, s.adminPassword);
    corpus = await hostileCertificates(s.emulator, join(dir, 'emulator', 'pki'));
  });
  afterAll(async () => {
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has at least 15 kinds of bad certificates', () => {
    expect(corpus.refused.length).toBeGreaterThanOrEqual(15);
  });

  it('refuses every one with its status and code, stores nothing, and the process stays up', async () => {
    const failures: string[] = [];
    for (const c of corpus.refused) {
      const before = await counts();
      const r = await upload(c);
      const problems = (r.body.details?.problems ?? []).map((p) => p.code);
      if (
        r.status !== c.status ||
        r.body.code !== c.code ||
        (c.problem && !problems.includes(c.problem)) ||
        (c.message && !c.message.test(r.text))
      ) {
        failures.push(
          `${c.kind}: expected ${c.status} ${c.code}${c.problem ? ` (${c.problem})` : ''}, got ${r.status} ${r.text.slice(0, 200)}`,
        );
      }
      expect(r.body.code, c.kind).not.toBe('INTERNAL_ERROR');
      expect(await counts(), c.kind).toEqual(before);
    }
    expect(failures).toEqual([]);
    expect((await fetch(`${s.url}/api/health`)).status).toBe(200);
  });

  it('the refusals leave no private key behind (no certificate row, and the list holds no key)', async () => {
    const list = await json<{ items: unknown[] }>(await s.admin.get('/api/certificates'));
    expect(list.items).toEqual([]);
    expect(JSON.stringify(list)).not.toMatch(/PRIVATE KEY/);
  });

  it('a 1024-bit RSA key is refused with a KEY_TOO_SHORT error (no legacy setting)', async () => {
    if (!corpus.weak) return; // no openssl CLI on this machine
    const r = await upload(corpus.weak);
    expect(r.status).toBe(422);
    expect((r.body.details?.problems ?? []).map((p) => `${p.code}:${p.severity}`)).toContain(
      'KEY_TOO_SHORT:error',
    );
  });

  it('still takes the real certificate afterwards', async () => {
    const ok = await s.admin.post('/api/certificates', {
      serviceAccountLiveId: s.emulator.demo.serviceAccountLiveId,
      format: 'pkcs12',
      pkcs12Base64: readFileSync(s.emulator.demo.pfxPath).toString('base64'),
      password: s.emulator.demo.pfxPassword,
    });
    expect(ok.status).toBe(201);
  });
});
