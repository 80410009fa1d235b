import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEMO_IDS, type ScenarioInput } from '@onbehalf/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketsService } from '../src/tickets/tickets.service';
import { json, startTestStack, type TestStack } from './harness';
import { startHostileServer, type HostileReply, type HostileServer } from './support/hostile-server';
import { JON_PUID, ledger, twoOrgs } from './support/orgs';

/** The project's hostile corpus (fixtures/README.md lists each attack and its code). */
const HOSTILE_DIR = resolve(__dirname, '..', '..', '..', 'fixtures', 'hostile');
const CLI = resolve(__dirname, '..', '..', '..', 'packages', 'crm-auth', 'dist', 'cli', 'main.js');
/** What a garbled, forbidden or foreign reply may reach the API's caller as. */
const REPLY_CODES = ['CRM_BAD_REPLY', 'CRM_UNAVAILABLE', 'CRM_FAULT'];

const SOAP = (inner: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${inner}</soap:Body></soap:Envelope>`;
const createResponse = (id: string) =>
  SOAP(
    `<CreateResponse xmlns="http://schemas.microsoft.com/crm/2007/WebServices"><CreateResult>${id}</CreateResult></CreateResponse>`,
  );
const fault = (code: string, description: string) =>
  SOAP(
    `<soap:Fault><faultcode>soap:Server</faultcode><faultstring>Server was unable to process request.</faultstring><detail><error><code>${code}</code><description>${description}</description><type>Platform</type></error></detail></soap:Fault>`,
  );

interface Reply {
  status: number;
  body: { code?: string; details?: { protocolCode?: string } };
}

describe('hostile XML reaching the product: typed errors, the process stays up', () => {
  let s: TestStack;
  let dir: string;
  let hostile: HostileServer;
  let contosoId: string;
  let northwindId: string;
  let certId: string;

  const fresh = (orgId: string) => s.api.app.get(TicketsService).forget(orgId);
  const call = async (method: string, path: string, body?: unknown): Promise<Reply> => {
    const res = await s.admin.request(method, path, body);
    return { status: res.status, body: (await res.json()) as Reply['body'] };
  };
  const createAccount = (name: string) =>
    call('POST', `/api/orgs/${contosoId}/records/account`, {
      attributes: { name },
      onBehalfOf: { puid: JON_PUID },
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'onbehalf-hostile-xml-'));
    s = await startTestStack({}, { dataDir: join(dir, 'emulator') });
    ({ certId, contosoId, northwindId } = await twoOrgs(s.admin, s.emulator));
    expect((await createAccount('warm-up')).status).toBe(201);
    hostile = await startHostileServer(join(dir, 'emulator'));
  });
  afterAll(async () => {
    await hostile?.close();
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const SCENARIOS: Array<{
    kind: string;
    scenario: ScenarioInput;
    run: () => Promise<Reply>;
    status: number;
    code: string;
  }> = [
    {
      kind: 'a truncated Retrieve reply',
      scenario: { name: 'MALFORMED_REPLY', endpoint: 'crm' },
      run: () => call('GET', `/api/orgs/${contosoId}/records/account/${DEMO_IDS.fourthCoffee}`),
      status: 502,
      code: 'CRM_BAD_REPLY',
    },
    {
      kind: 'a truncated RetrieveMultiple reply',
      scenario: { name: 'MALFORMED_REPLY', endpoint: 'crm' },
      run: () => call('GET', `/api/orgs/${contosoId}/records/account?pageSize=5`),
      status: 502,
      code: 'CRM_BAD_REPLY',
    },
    {
      kind: 'a truncated Update reply',
      scenario: { name: 'MALFORMED_REPLY', endpoint: 'crm' },
      run: () =>
        call('PATCH', `/api/orgs/${contosoId}/records/account/${DEMO_IDS.fourthCoffee}`, {
          attributes: { telephone1: '555' },
        }),
      status: 502,
      code: 'CRM_BAD_REPLY',
    },
    {
      kind: 'a login page for WhoAmI',
      scenario: { name: 'HTML_LOGIN_PAGE', endpoint: 'crm' },
      run: () => call('POST', `/api/orgs/${contosoId}/whoami`, {}),
      status: 502,
      code: 'CRM_UNAVAILABLE',
    },
    {
      kind: 'a truncated RetrieveCrmUserIdByExternalId reply (PUID lookup)',
      scenario: { name: 'MALFORMED_REPLY', endpoint: 'discovery' },
      run: () => call('POST', `/api/orgs/${contosoId}/user-mappings/resolve`, { puid: '0003BFFD2A7C4E10' }),
      status: 502,
      code: 'CRM_BAD_REPLY',
    },
    {
      kind: 'a login page for RetrieveCrmTicket (refresh)',
      scenario: { name: 'HTML_LOGIN_PAGE', endpoint: 'discovery' },
      run: () => call('POST', `/api/orgs/${contosoId}/tickets/refresh`),
      status: 502,
      code: 'TICKET_REFRESH_FAILED',
    },
  ];
  for (const c of SCENARIOS) {
    it(`emulator: ${c.kind} → ${c.status} ${c.code}`, async () => {
      fresh(contosoId);
      s.emulator.control.addScenario({ org: 'contoso', ...c.scenario, params: { count: 1 } });
      const r = await c.run();
      s.emulator.control.clearScenarios();
      expect(r.status, JSON.stringify(r.body)).toBe(c.status);
      expect(r.body.code).toBe(c.code);
    });
  }

  it('emulator: a login page and a truncated reply from the STS fail onboarding at the wlid-ticket step with a code', async () => {
    for (const name of ['HTML_LOGIN_PAGE', 'MALFORMED_REPLY'] as const) {
      s.emulator.control.addScenario({ name, endpoint: 'sts', params: { count: 1 } });
      const res = await s.admin.post(`/api/orgs/${northwindId}/onboarding`);
      const body = await json<{
        run: { status: string; steps: { name: string; status: string; error?: { code: string } }[] };
      }>(res);
      s.emulator.control.clearScenarios();
      expect(res.status).toBe(200);
      const failed = body.run.steps.find((x) => x.status === 'failed');
      expect(failed?.name, name).toBe('wlid-ticket');
      expect(failed?.error?.code, name).toMatch(/^[A-Z][A-Z_]+$/);
    }
    // And back to active once the STS behaves.
    const ok = await json<{ org: { status: string } }>(
      await s.admin.post(`/api/orgs/${northwindId}/onboarding`),
    );
    expect(ok.org.status).toBe('active');
  });

  it('a hostile CrmService (every fixture of fixtures/hostile and worse): a typed 502 for each Create, a failed ledger row, redirects not followed', async () => {
    const files = readdirSync(HOSTILE_DIR).filter((f) => f.endsWith('.xml'));
    const cases: Array<{ kind: string; reply: HostileReply; protocol?: string }> = [
      ...files.map((f) => ({ kind: f, reply: { body: readFileSync(join(HOSTILE_DIR, f)) } })),
      { kind: 'an empty 200 reply', reply: { body: '' }, protocol: 'ERR_XML_MALFORMED' },
      { kind: 'binary garbage as text/xml', reply: { body: randomBytes(4096) } },
      {
        kind: 'a 6 MB reply',
        reply: { body: SOAP(`<x>${'a'.repeat(6 * 1024 * 1024)}</x>`) },
        protocol: 'ERR_XML_TOO_LARGE',
      },
      {
        kind: 'a gzip bomb (20 MB of zeros)',
        reply: { headers: { 'content-encoding': 'gzip' }, body: gzipSync(Buffer.alloc(20 * 1024 * 1024)) },
      },
      {
        kind: 'an element with 50,000 attributes',
        reply: { body: SOAP(`<x ${Array.from({ length: 50_000 }, (_, i) => `a${i}="1"`).join(' ')}/>`) },
      },
      {
        kind: 'a CreateResult that is a path, not a GUID',
        reply: { body: createResponse('../../etc/passwd') },
        protocol: 'ERR_UNEXPECTED_MESSAGE',
      },
      {
        kind: 'a fault with an unknown code and a 200 KB description',
        reply: { status: 500, body: fault('0x80049999', 'x'.repeat(200_000)) },
        protocol: 'ERR_CRM_FAULT',
      },
      {
        kind: 'a fault whose description holds markup and an entity reference',
        reply: {
          status: 500,
          body: fault('0x80041234', '<![CDATA[<script>alert(1)</script>]]> &amp;lt;b&amp;gt;'),
        },
        protocol: 'ERR_CRM_FAULT',
      },
      {
        kind: 'a 307 redirect elsewhere',
        reply: { status: 307, headers: { location: `${hostile.origin}/steal-the-ticket` }, body: '' },
      },
    ];
    expect(cases.length).toBeGreaterThanOrEqual(10);
    await s.api.dataSource.query(`UPDATE orgs SET crm_service_url = $2 WHERE id = $1`, [
      contosoId,
      `${hostile.origin}/MSCrmServices/2007/CrmService.asmx`,
    ]);
    const before = s.emulator.control.records({ org: 'contoso' }).length;
    const problems: string[] = [];
    try {
      for (const c of cases) {
        fresh(contosoId); // each case starts with a closed breaker
        hostile.queue(c.reply);
        const r = await createAccount(`hostile ${c.kind}`);
        const protocol = r.body.details?.protocolCode;
        if (
          r.status !== 502 ||
          !REPLY_CODES.includes(r.body.code ?? '') ||
          (c.protocol && protocol !== c.protocol)
        ) {
          problems.push(`${c.kind}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
        }
      }
    } finally {
      await s.api.dataSource.query(`UPDATE orgs SET crm_service_url = $2 WHERE id = $1`, [
        contosoId,
        s.emulator.crmServiceUrl,
      ]);
      fresh(contosoId);
    }
    expect(problems).toEqual([]);
    expect(hostile.seen.filter((p) => p.includes('steal'))).toEqual([]);
    expect(s.emulator.control.records({ org: 'contoso' }).length).toBe(before);
    const rows = (await ledger(s.api.dataSource, contosoId)).filter((r) => r.outcome !== 'completed');
    expect(rows.filter((r) => r.outcome === 'pending')).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(cases.length);
    expect(rows.every((r) => r.error_code)).toBe(true);
    // The org works again once it talks to the real service.
    expect((await createAccount('after the hostile service')).status).toBe(201);
  });

  it('a hostile discovery service fails onboarding at its first step with a code, and the org is kept as failed', async () => {
    const discoveryUrl = `${hostile.origin}/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx`;
    for (const f of [
      'billion-laughs.xml',
      'xxe-file-etc-passwd.xml',
      'html-login-page.xml',
      'deep-nesting-10000.xml',
    ]) {
      hostile.queue({ body: readFileSync(join(HOSTILE_DIR, f)) });
      const res = await s.admin.post('/api/orgs', {
        discoveryUrl,
        friendlyName: `Hostile ${f}`,
        certificateId: certId,
      });
      const body = await json<{
        org: { status: string };
        run: { steps: { name: string; status: string; error?: { code: string } }[] };
      }>(res);
      expect(res.status, f).toBe(201);
      expect(body.org.status, f).toBe('failed');
      const failed = body.run.steps.find((x) => x.status === 'failed');
      expect(failed?.name, f).toBe('policy');
      expect(failed?.error?.code, f).toMatch(/^[A-Z][A-Z_]+$/);
    }
  });

  it('crm-auth decode refuses every file of fixtures/hostile: exit 1, one line naming the code', async () => {
    if (!existsSync(CLI)) throw new Error(`build crm-auth first (${CLI})`);
    const files = readdirSync(HOSTILE_DIR).filter((f) => f.endsWith('.xml'));
    const expected: Record<string, string> = {
      'billion-laughs.xml': 'ERR_XML_FORBIDDEN',
      'xxe-file-etc-passwd.xml': 'ERR_XML_FORBIDDEN',
      'doctype-internal-entity.xml': 'ERR_XML_FORBIDDEN',
      'deep-nesting-10000.xml': 'ERR_XML_TOO_DEEP',
      'html-login-page.xml': 'ERR_HTML_INSTEAD_OF_SOAP',
    };
    for (const f of files) {
      const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
        execFile(
          process.execPath,
          [CLI, 'decode', join(HOSTILE_DIR, f)],
          { timeout: 10_000 },
          (err, stdout, stderr) =>
            done({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
        ),
      );
      // A hang fails on execFile's timeout; speed is measured in npm run bench, not here.
      expect(r.code, f).toBe(1);
      expect(r.stdout, f).toBe('');
      expect(r.stderr.trim().split('\n'), f).toHaveLength(1);
      expect(r.stderr, f).toMatch(/\((ERR_[A-Z_]+)\)\s*$/);
      if (expected[f]) expect(r.stderr, f).toContain(`(${expected[f]})`);
    }
    // One process per file (33 of them): on a loaded 2-core machine each start takes a second or more.
  }, 180_000);

  it('stays up: health 200 and every org still answers', async () => {
    expect((await fetch(`${s.url}/api/health`)).status).toBe(200);
    expect((await createAccount('the end')).status).toBe(201);
  });
});
