// Measures Execute(WhoAmI) calls per second over keep-alive HTTPS against a fresh emulator.
// Usage: pnpm --filter @onbehalf/emulator build && node apps/emulator/scripts/bench-whoami.mjs [seconds] [concurrency]
// The emulator runs in this process; the load runs in a child process so that each has a core, and so
// that this process's CPU time is the emulator's alone (calls per CPU-second hold even on a busy machine).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fork } from 'node:child_process';

const require = createRequire(import.meta.url);
const { Agent, request } = require('undici');

const WS = 'http://schemas.microsoft.com/crm/2007/WebServices';
const CDS = 'http://schemas.microsoft.com/crm/2007/CrmDiscoveryService';
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function whoamiXml(ticket) {
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Header><CrmAuthenticationToken xmlns="${WS}"><AuthenticationType xmlns="http://schemas.microsoft.com/crm/2007/CoreTypes">1</AuthenticationType><CrmTicket xmlns="http://schemas.microsoft.com/crm/2007/CoreTypes">${esc(ticket)}</CrmTicket><OrganizationName xmlns="http://schemas.microsoft.com/crm/2007/CoreTypes">contoso</OrganizationName><CallerId xmlns="http://schemas.microsoft.com/crm/2007/CoreTypes">c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c</CallerId></CrmAuthenticationToken></soap:Header><soap:Body><Execute xmlns="${WS}"><Request xsi:type="WhoAmIRequest" /></Execute></soap:Body></soap:Envelope>`;
}

async function load({ url, ca, ticket, seconds, concurrency }) {
  const agent = new Agent({ connect: { ca }, connections: concurrency, keepAliveTimeout: 30_000 });
  const body = whoamiXml(ticket);
  const headers = { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${WS}/Execute"` };
  let ok = 0;
  let failed = 0;
  const warmUntil = Date.now() + 1000;
  let measuring = false;
  let started = 0;
  const end = warmUntil + seconds * 1000;
  async function lane() {
    while (Date.now() < end) {
      if (!measuring && Date.now() >= warmUntil) {
        measuring = true;
        started = Date.now();
        ok = 0;
        failed = 0;
      }
      const res = await request(`${url}/MSCrmServices/2007/CrmService.asmx`, { method: 'POST', body, headers, dispatcher: agent });
      await res.body.text();
      if (res.statusCode === 200) ok++;
      else failed++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  await agent.close();
  return { ok, failed, ms: Date.now() - started };
}

if (process.argv[2] === '--load') {
  process.once('message', (job) => {
    load(job).then((r) => process.send(r, () => process.exit(0)));
  });
} else {
  const seconds = Number(process.argv[2] ?? 5);
  const concurrency = Number(process.argv[3] ?? 32);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const { startEmulator } = require(path.join(here, '..', 'dist', 'index.js'));
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'emulator-bench-'));
  const emu = await startEmulator({ port: 0, dataDir });
  try {
    const client = new Agent({
      connect: {
        ca: emu.caCertPem,
        cert: (await readFile(emu.demo.certPath, 'utf8')) + (await readFile(emu.demo.chainPath, 'utf8')),
        key: await readFile(emu.demo.keyPath, 'utf8'),
      },
    });
    const rst = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy" xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:wst="http://schemas.xmlsoap.org/ws/2005/02/trust"><s:Body><wst:RequestSecurityToken Id="RST0"><wst:RequestType>http://schemas.xmlsoap.org/ws/2005/02/trust/Issue</wst:RequestType><wsp:AppliesTo><wsa:EndpointReference><wsa:Address>crm.dynamics.com</wsa:Address></wsa:EndpointReference></wsp:AppliesTo><wsp:PolicyReference URI="MBI_SSL" /></wst:RequestSecurityToken></s:Body></s:Envelope>`;
    const sts = await request(emu.stsUrl, { method: 'POST', body: rst, headers: { 'content-type': 'application/soap+xml' }, dispatcher: client });
    const passport = /BinarySecurityToken[^>]*>([^<]*)</.exec(await sts.body.text())[1].replace(/&amp;/g, '&');
    const disc = await request(emu.discoveryUrl, {
      method: 'POST',
      dispatcher: client,
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${CDS}/Execute"` },
      body: `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Body><Execute xmlns="${CDS}"><Request xsi:type="RetrieveCrmTicketRequest"><OrganizationName>contoso</OrganizationName><PassportTicket>${esc(passport)}</PassportTicket></Request></Execute></soap:Body></soap:Envelope>`,
    });
    const ticket = /<CrmTicket>([^<]*)</.exec(await disc.body.text())[1];
    await client.close();
    const child = fork(fileURLToPath(import.meta.url), ['--load']);
    child.send({ url: emu.url, ca: emu.caCertPem, ticket, seconds, concurrency });
    // CPU time is sampled over the measured window only (after the client's one-second warm-up).
    let cpuStart;
    const warm = setTimeout(() => (cpuStart = process.cpuUsage()), 1000);
    const result = await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('error', reject);
    });
    clearTimeout(warm);
    const cpu = process.cpuUsage(cpuStart);
    const perSecond = Math.round((result.ok * 1000) / result.ms);
    const cpuUsPerCall = (cpu.user + cpu.system) / Math.max(1, result.ok);
    process.stdout.write(
      `WhoAmI (impersonated) over keep-alive HTTPS: ${perSecond} calls/s wall clock; ` +
        `emulator CPU ${cpuUsPerCall.toFixed(0)} µs/call = ${Math.round(1e6 / cpuUsPerCall)} calls per CPU-second ` +
        `(${result.ok} ok, ${result.failed} failed, ${concurrency} connections, ${(result.ms / 1000).toFixed(1)} s, ` +
        `load average ${os.loadavg()[0].toFixed(1)}, Node ${process.version})\n`,
    );
  } finally {
    await emu.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
