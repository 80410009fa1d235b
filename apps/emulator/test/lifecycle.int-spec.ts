import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index';
import { freshDataDir, startHarness, type Harness } from './emulator-harness';
import { crmAction, crmTicket, crmXml, parseReply, textAt, WHOAMI_BODY } from './soap-client';

const CRM = '/MSCrmServices/2007/CrmService.asmx';
const WS = 'http://schemas.microsoft.com/crm/2007/WebServices';

describe('state and keys persist across a restart with the same data dir', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await freshDataDir();
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps records, orgs, scenarios, the CA and earlier tickets', async () => {
    const first = await startHarness({ dataDir });
    const { ticket } = await crmTicket(first);
    const created = await first.post(
      CRM,
      crmXml(
        { ticket, org: 'contoso' },
        `<Create xmlns="${WS}"><entity xsi:type="lead"><subject>Persisted</subject></entity></Create>`,
      ),
      crmAction('Create'),
    );
    const id = textAt(parseReply(created.body), 'Envelope/Body/CreateResponse/CreateResult');
    first.emu.control.addScenario({ name: 'SLOW', org: 'fabrikam', params: { ms: 10 } });
    first.emu.control.updateOrg('fabrikam', { friendlyName: 'Fabrikam Renamed' });
    const ca = first.emu.caCertPem;
    await first.close();

    const second = await startHarness({ dataDir });
    try {
      expect(second.emu.caCertPem).toBe(ca);
      expect(second.emu.control.records({ org: 'contoso', entity: 'lead' }).map((r) => r.id)).toContain(id);
      const state = second.emu.control.state();
      expect(state.scenarios).toMatchObject([{ name: 'SLOW', org: 'fabrikam' }]);
      expect(state.orgs.find((o) => o.name === 'fabrikam')?.friendlyName).toBe('Fabrikam Renamed');
      // The ticket issued before the restart still verifies: its HMAC key was kept.
      const res = await second.post(
        CRM,
        crmXml({ ticket, org: 'contoso' }, WHOAMI_BODY),
        crmAction('Execute'),
      );
      expect(res.status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('adds the Dataverse demo environment and its users to a data dir saved before it existed, keeping the rest', async () => {
    const first = await startHarness({ dataDir });
    await first.close();
    const file = path.join(dataDir, 'state.json');
    const saved = JSON.parse(await readFile(file, 'utf8')) as {
      orgs: { name: string }[];
      users: { org: string }[];
    };
    saved.orgs = saved.orgs.filter((o) => o.name !== 'contosodv');
    saved.users = saved.users.filter((u) => u.org !== 'contosodv');
    await writeFile(file, JSON.stringify(saved));
    const second = await startHarness({ dataDir });
    try {
      const state = second.emu.control.state();
      expect(state.orgs.map((o) => o.name).sort()).toEqual(['contoso', 'contosodv', 'fabrikam']);
      expect(state.orgs.find((o) => o.name === 'fabrikam')?.friendlyName).toBe('Fabrikam Renamed');
      expect(
        state.users
          .filter((u) => u.org === 'contosodv')
          .map((u) => u.fullName)
          .sort(),
      ).toEqual(['Jon Wilson', 'Onbehalf ISV integration', 'Rita Reed']);
    } finally {
      await second.close();
    }
  });
});

describe('first and second start', () => {
  it('generates the PKI and demo files once, then reuses them quickly', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'emulator-cold-'));
    try {
      let started = Date.now();
      const cold = await startEmulator({ port: 0, dataDir });
      const coldMs = Date.now() - started;
      const demo = cold.demo;
      await cold.close();
      started = Date.now();
      const warm = await startEmulator({ port: 0, dataDir });
      const warmMs = Date.now() - started;
      await warm.close();
      expect(warm.caCertPem).toBe(cold.caCertPem);
      expect(warm.demo.pfxPassword).toBe(demo.pfxPassword);
      expect(warmMs).toBeLessThan(Math.max(1500, coldMs));

      // Demo files: the certificate chains to the CA, the key matches, the PKCS#12 opens with its password.
      const cert = new X509Certificate(await readFile(demo.certPath, 'utf8'));
      const chain = await readFile(demo.chainPath, 'utf8');
      const [intermediatePem] = chain.split(/(?<=-----END CERTIFICATE-----\n)/);
      const intermediate = new X509Certificate(intermediatePem ?? '');
      const root = new X509Certificate(await readFile(demo.caCertPath, 'utf8'));
      expect(cert.checkIssued(intermediate) && cert.verify(intermediate.publicKey)).toBe(true);
      expect(intermediate.checkIssued(root) && intermediate.verify(root.publicKey)).toBe(true);
      expect(root.subject).toContain('CN=Onbehalf Emulator Root CA');
      expect(cert.checkPrivateKey(createPrivateKey(await readFile(demo.keyPath, 'utf8')))).toBe(true);
      expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.2');
      expect(() =>
        createSecureContext({ pfx: [{ buf: readFileSync(demo.pfxPath), passphrase: demo.pfxPassword }] }),
      ).not.toThrow();
      expect(((await stat(demo.keyPath)).mode & 0o077) === 0).toBe(true);
      expect(demo.serviceAccountLiveId).toBe('erp_integration@contoso-isv.example');
      expect(await readFile(demo.rpsSigningCertPath, 'utf8')).toContain('BEGIN CERTIFICATE');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('startEmulator', () => {
  it('rejects with a clear error when the port is taken', async () => {
    const a = await startHarness();
    try {
      const dataDir = await freshDataDir();
      try {
        await expect(startEmulator({ port: a.emu.port, dataDir })).rejects.toThrow(/already in use/);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    } finally {
      await a.close();
    }
  });

  it('refuses options without a data dir', async () => {
    await expect(startEmulator({} as never)).rejects.toThrow(/dataDir/);
  });
});

describe('WSDL', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** Every prefixed type, base and element reference resolves to a definition in its namespace. */
  function unresolvedReferences(wsdl: string): string[] {
    const rootNs = new Map<string, string>();
    const rootTag = /<wsdl:definitions([^>]*)>/.exec(wsdl)?.[1] ?? '';
    for (const m of rootTag.matchAll(/xmlns:(\w+)="([^"]*)"/g)) rootNs.set(m[1] ?? '', m[2] ?? '');
    const defined = new Set<string>();
    const refs: Array<{ ns: string; name: string }> = [];
    for (const schema of wsdl.matchAll(/<s:schema([^>]*)>([\s\S]*?)<\/s:schema>/g)) {
      const attrs = schema[1] ?? '';
      const body = schema[2] ?? '';
      const target = /targetNamespace="([^"]*)"/.exec(attrs)?.[1] ?? '';
      const ns = new Map(rootNs);
      for (const m of attrs.matchAll(/xmlns:(\w+)="([^"]*)"/g)) ns.set(m[1] ?? '', m[2] ?? '');
      for (const m of body.matchAll(/<s:(?:complexType|simpleType) name="(\w+)"/g))
        defined.add(`${target}#${m[1]}`);
      for (const m of body.matchAll(/<s:element name="(\w+)"/g)) defined.add(`${target}#${m[1]}`);
      for (const m of body.matchAll(/(?:type|base)="(\w+):(\w+)"/g))
        refs.push({ ns: ns.get(m[1] ?? '') ?? `?${m[1]}`, name: m[2] ?? '' });
    }
    for (const m of wsdl.matchAll(/element="(\w+):(\w+)"/g))
      refs.push({ ns: rootNs.get(m[1] ?? '') ?? '?', name: m[2] ?? '' });
    return refs
      .filter((r) => r.ns !== 'http://www.w3.org/2001/XMLSchema' && !defined.has(`${r.ns}#${r.name}`))
      .map((r) => `${r.ns}#${r.name}`);
  }

  for (const [name, p, ns, ops] of [
    [
      'discovery',
      '/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx',
      'http://schemas.microsoft.com/crm/2007/CrmDiscoveryService',
      ['Execute'],
    ],
    [
      'CrmService',
      '/MSCrmServices/2007/CrmService.asmx',
      WS,
      ['Execute', 'Retrieve', 'RetrieveMultiple', 'Create', 'Update', 'Delete'],
    ],
  ] as const) {
    it(`serves a consistent document/literal WSDL for ${name} at ?WSDL and ?wsdl`, async () => {
      const upper = await h.get(`${p}?WSDL`);
      const lower = await h.get(`${p.toLowerCase()}?wsdl`);
      expect(upper.status).toBe(200);
      expect(lower.body).toBe(upper.body);
      expect(String(upper.headers['content-type'])).toContain('text/xml');
      expect(XMLValidator.validate(upper.body)).toBe(true);
      expect(upper.body).toContain(`targetNamespace="${ns}"`);
      expect(upper.body).toContain(`<soap:address location="${h.emu.url}${p}" />`);
      for (const op of ops) expect(upper.body).toContain(`soapAction="${ns}/${op}" style="document"`);
      expect(upper.body).not.toMatch(/use="encoded"/);
      expect(unresolvedReferences(upper.body)).toEqual([]);
    });
  }

  it('declares the request and response types the emulator answers', async () => {
    const discovery = (await h.get('/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx?WSDL')).body;
    for (const t of [
      'RetrievePolicyRequest',
      'RetrieveCrmTicketRequest',
      'RetrieveCrmTicketResponse',
      'OrganizationDetail',
    ]) {
      expect(discovery).toContain(`name="${t}"`);
    }
    const crm = (await h.get('/MSCrmServices/2007/CrmService.asmx?WSDL')).body;
    for (const t of [
      'WhoAmIRequest',
      'WhoAmIResponse',
      'CrmAuthenticationToken',
      'QueryExpression',
      'BusinessEntityCollection',
    ]) {
      expect(crm).toContain(`name="${t}"`);
    }
    expect(crm).toContain('part="CrmAuthenticationToken"');
  });
});
