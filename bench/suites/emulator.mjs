// emulatorWhoAmIPerSec: Execute(WhoAmI) against the emulator over keep-alive HTTPS with a CRM ticket
// in hand. The request is built once with crm-auth (so the load generator spends its CPU on HTTP,
// not on SOAP) and every reply is checked; a second, shorter run uses crm-auth's CrmServiceClient
// end to end (build + parse per call) for comparison.
import { createRequire } from 'node:module';
import { Pool } from 'undici';
import { demoServiceAccount, startEmulatorProcess } from '../lib/stack.mjs';
import { closedLoop, cpuMeter, round } from '../lib/util.mjs';

const require = createRequire(import.meta.url);
const { CrmServiceClient, buildWhoAmIRequest, parseWhoAmIResponse } = require('@onbehalf/crm-auth');

export const name = 'emulator';
const CONCURRENCY = 16;

export async function run({ quick = false, log = console.log } = {}) {
  const seconds = quick ? 2 : 6;
  const emulator = await startEmulatorProcess();
  const { ca, discovery, wlid } = demoServiceAccount(emulator);
  const crm = new CrmServiceClient({ url: emulator.crmServiceUrl, ca });
  const u = new URL(emulator.crmServiceUrl);
  const pool = new Pool(u.origin, {
    connections: CONCURRENCY,
    connect: { ca: emulator.caCertPem },
    keepAliveTimeout: 30_000,
  });
  try {
    const { policy } = await discovery.retrievePolicy();
    const passport = await wlid.requestTicket({ policy, appliesTo: 'crm.dynamics.com' });
    const t = await discovery.retrieveCrmTicket('contoso', passport.ticket);
    const token = {
      authenticationType: 1,
      crmTicket: t.crmTicket,
      organizationName: 'contoso',
      callerId: null,
    };
    const req = buildWhoAmIRequest(token);
    const headers = { 'content-type': req.contentType, soapaction: req.soapAction };
    const expectUser = (await crm.whoAmI(token)).userId;
    const raw = async (i) => {
      const res = await pool.request({ method: 'POST', path: u.pathname, headers, body: req.xml });
      const body = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      // Every reply must be a WhoAmI answer; one in 50 is decoded in full.
      if (i % 50 === 0) {
        if (parseWhoAmIResponse(body).userId !== expectUser) throw new Error('wrong WhoAmI answer');
      } else if (!body.includes('WhoAmIResponse')) throw new Error('not a WhoAmI response');
    };
    await closedLoop({ concurrency: CONCURRENCY, durationMs: 1500, fn: raw });
    await emulator.resetCounts();
    const meter = cpuMeter({ bench: {}, emulator: { pid: emulator.pid } });
    const res = await closedLoop({ concurrency: CONCURRENCY, durationMs: seconds * 1000, fn: raw });
    const cpu = meter.delta();
    const counts = await emulator.counts();
    const client = await closedLoop({
      concurrency: CONCURRENCY,
      durationMs: (seconds / 2) * 1000,
      fn: () => crm.whoAmI(token),
    });
    const emuCpuPerCall = cpu.emulator / res.ok;
    log(
      `  WhoAmI: ${round(res.perSec, 0)}/s (emulator ${round(emuCpuPerCall, 2)} CPU ms/call, bench ${round(cpu.bench / res.ok, 2)}), via CrmServiceClient ${round(client.perSec, 0)}/s`,
    );
    return {
      figures: {
        emulatorWhoAmIPerSec: {
          value: round(res.perSec, 0),
          target: '>= 1500',
          pass: res.perSec >= 1500 && res.failed === 0,
          note: `c=${CONCURRENCY}, ${seconds} s; emulator ${round(emuCpuPerCall, 2)} CPU ms/call (ceiling ${round(1000 / emuCpuPerCall, 0)}/s on one free core)${res.failed ? `; ${res.failed} FAILED` : ''}`,
        },
      },
      details: {
        concurrency: CONCURRENCY,
        seconds,
        ok: res.ok,
        failed: res.failed,
        errors: res.errors,
        countedByEmulator: counts.crm.WhoAmI ?? counts.crm.Execute ?? counts.total,
        emulatorCpuMsPerCall: round(emuCpuPerCall, 3),
        benchCpuMsPerCall: round(cpu.bench / res.ok, 3),
        viaCrmServiceClientPerSec: round(client.perSec, 0),
      },
    };
  } finally {
    await pool.close().catch(() => undefined);
    await Promise.allSettled([discovery.close(), wlid.close(), crm.close()]);
    await emulator.close();
  }
}
