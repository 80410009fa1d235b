// The background ticket refresh at scale, at two sizes (1,000 and 10,000 orgs): a simulated day, compressed by
// short CRM ticket lifetimes, with a light load of impersonated calls (WhoAmI for Jon Wilson) on random orgs.
//   refreshCpuMsPerOrg      CPU of the API process + Postgres per ticket refresh over the day, the calls' share
//                           taken off (their cost measured first, on Contoso alone)
//   refreshPeakConcurrent   the most refreshes in flight at once (each refresh's [end - latency, end] from the
//                           API's ticket_events; the refresh jobs' [started_on, completed_on] beside it)
//   refreshMissedExpiries   calls that met an expired CRM ticket (8004A101: the API's expired-fault events)
//
// Setup, not through the wizard: the emulator gets N orgs through its control API, each with the demo service
// account (proxy role) and Jon Wilson as users. The API is onboarded to Contoso through its wizard, then to the N
// others by SQL INSERTs in the shape onboarding leaves: an `orgs` row copying Contoso's (policy, certificate,
// service account) with the org's own URLs, and a `tickets` row holding a real Passport and CRM ticket from the
// emulator, sealed with the API's key-encryption key by the API's own SecretBox (apps/api/dist). The tickets are
// issued with expiries spread over one refresh interval, as a service that has run a while has them. No refresh
// job exists yet: the refresh sweep (made due at once) must queue N of them, which is the start-up.
//
// The compression: both sizes get about the same demand, REFRESHES_PER_SEC (the lifetime is N divided by it), so
// that the cost per refresh at 1,000 and 10,000 orgs is measured at the same rate and any growth is N's. A lifetime
// of 125 s (1,000 orgs) or 1,250 s (10,000) stands for CRM Online's 8 hours: a 120 s day is about one refresh per
// org at 1,000 orgs and a tenth of one at 10,000, as the refresh queue (one job at a time per API instance) cannot
// do 10,000 orgs several times in 2 minutes on 2 cores. In real time 10,000 orgs need about 0.35 refreshes/s.
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ApiClient, demoServiceAccount, JON_PUID, postgres, startCrmStack } from '../lib/stack.mjs';
import { closedLoop, cpuMeter, now, percentile, repoRoot, round, sleep } from '../lib/util.mjs';

const require = createRequire(import.meta.url);
const { SecretBox } = require(join(repoRoot, 'apps', 'api', 'dist', 'secrets', 'secret-box.js'));
const { Client } = require('pg');

export const name = 'refresh';

const SERVICE_ACCOUNT = { liveId: 'erp_integration@contoso-isv.example', name: 'ERP_Integration' };
const JON = { liveId: 'jonw@contoso.example', puid: JON_PUID };
const BUCKET_SEC = 5;
/** The demand at both sizes: the lifetime is N / REFRESHES_PER_SEC (CRM Online's is 8 hours). */
const REFRESHES_PER_SEC = 8;
/** Tickets are seeded in batches of this many orgs, each batch with its own lifetime, to spread their expiries. */
const SEED_BATCH = 50;

function settings(quick) {
  return quick
    ? { sizes: [100, 1000], dayMs: 45_000, callsPerSec: 5, callConcurrency: 2, calibrateMs: 5_000 }
    : { sizes: [1000, 10_000], dayMs: 120_000, callsPerSec: 5, callConcurrency: 2, calibrateMs: 10_000 };
}

/** Runs `fn` over `items` with `concurrency` at a time. */
async function pool(items, concurrency, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

/** The most intervals [start, end] that overlap at one instant. */
function peakOverlap(intervals) {
  const points = [];
  for (const [s, e] of intervals) points.push([s, 1], [Math.max(s, e), -1]);
  // Ends before starts at the same instant: touching intervals do not overlap.
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let peak = 0;
  for (const [, d] of points) {
    cur += d;
    if (cur > peak) peak = cur;
  }
  return peak;
}

const dbNow = async (db) => new Date((await db.query(`SELECT clock_timestamp() AS t`)).rows[0].t);

async function measureSize(n, cfg, log) {
  const lifetimeSec = Math.max(20, Math.round(n / REFRESHES_PER_SEC));
  // Refresh-ahead: a fifth of the lifetime (CRM Online's 300 s of 8 h, scaled, would be less than the refresh
  // queue's 2 s poll).
  const aheadSec = Math.max(4, Math.round(lifetimeSec / 5));
  const kek = randomBytes(32);
  const stack = await startCrmStack({
    apiEnv: {
      ONBEHALF_TICKET_REFRESH_AHEAD_SEC: String(aheadSec),
      ONBEHALF_KEK_bench: kek.toString('base64'),
    },
    emulatorOptions: { crmTicketLifetimeSec: lifetimeSec, passportTicketLifetimeSec: 86_400 },
  });
  const { emulator, api, admin } = stack;
  const pg = await postgres();
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  const client = new ApiClient(api.url, { connections: cfg.callConcurrency });
  const { discovery, wlid } = demoServiceAccount(emulator);
  try {
    // An admin key acts on every org (a `calls` key names at most 200).
    const key = await admin.ok('POST', '/api/api-keys', { name: 'bench-all-orgs', scopes: ['admin'] });
    client.useApiKey(key.key);
    const procs = { api: { pid: api.pid }, postgres: { pid: pg.postmasterPid, tree: true } };
    // A light load: call i starts at i / callsPerSec seconds (or as soon as a worker is free after that).
    const paced = (fn) => {
      const start = now();
      return async (i) => {
        const wait = start + (i * 1000) / cfg.callsPerSec - now();
        if (wait > 0) await sleep(wait);
        await fn();
      };
    };
    const whoAmI = async (orgId) => {
      const r = await client.call('POST', `/api/orgs/${orgId}/whoami`, { onBehalfOf: { puid: JON.puid } });
      if (r.status !== 200 && r.status !== 201) {
        const err = new Error(`HTTP ${r.status} ${r.body?.code ?? ''}`);
        err.code = err.message;
        throw err;
      }
      callsOk++;
    };
    let callsOk = 0;

    // ------------------------------------------------------------ the calls' own cost, on Contoso alone
    await whoAmI(stack.orgId);
    const calMeter = cpuMeter(procs);
    const cal = await closedLoop({
      concurrency: cfg.callConcurrency,
      durationMs: cfg.calibrateMs,
      fn: paced(() => whoAmI(stack.orgId)),
    });
    const calCpu = calMeter.delta();
    const callCpuMs = (calCpu.api + calCpu.postgres) / Math.max(1, cal.ok);

    // ------------------------------------------------------------ the emulator: N orgs
    const s0 = now();
    const orgs = Array.from({ length: n }, (_, i) => ({
      name: `bench${String(i).padStart(5, '0')}`,
      friendlyName: `Bench Org ${i}`,
      emulatorId: randomUUID(),
      serviceAccountId: randomUUID(),
    }));
    await pool(orgs, 8, async (o) => {
      await emulator.control('POST', 'orgs', {
        name: o.name,
        friendlyName: o.friendlyName,
        id: o.emulatorId,
      });
      await emulator.control('POST', 'users', {
        org: o.name,
        id: o.serviceAccountId,
        liveId: SERVICE_ACCOUNT.liveId,
        firstName: 'ERP',
        lastName: 'Integration',
        fullName: SERVICE_ACCOUNT.name,
        domainName: SERVICE_ACCOUNT.name,
        proxyRole: true,
        isServiceAccount: true,
      });
      await emulator.control('POST', 'users', {
        org: o.name,
        liveId: JON.liveId,
        puid: JON.puid,
        firstName: 'Jon',
        lastName: 'Wilson',
      });
    });
    const emulatorSeedSec = (now() - s0) / 1000;

    // ------------------------------------------------------------ the API: N org rows as onboarding leaves them
    // Their tickets first: one Passport ticket for the service account and a CRM ticket per org, sealed as the
    // API's TicketStoreService seals them (the AAD names the org's id, chosen here). The emulator's lifetime changes
    // per batch, so that at the end of the seeding the expiries are spread over (margin, margin + refresh
    // interval]; each batch's lifetime also covers the seeding still to come.
    const s1 = now();
    for (const o of orgs) o.id = randomUUID();
    const apiIds = orgs.map((o) => o.id);
    const box = new SecretBox(new Map([['bench', kek]]), 'bench');
    const { policy } = await discovery.retrievePolicy();
    const passport = await wlid.requestTicket({ policy, appliesTo: 'crm.dynamics.com' });
    const marginSec = aheadSec + 5;
    // A ticket is refreshed refresh-ahead before it expires, minus 0 to 10 % of the time left (5 % on average):
    // in a steady state the expiries are spread over this interval.
    const intervalSec = 0.95 * (lifetimeSec - aheadSec);
    const batch = SEED_BATCH;
    const batches = Math.ceil(n / batch);
    const rows = [];
    // How long a batch takes, guessed from 32 tickets of the first org, then from the batches themselves.
    const g0 = now();
    await pool(Array.from({ length: 32 }), 8, () =>
      discovery.retrieveCrmTicket(orgs[0].name, passport.ticket),
    );
    let perBatchSec = ((now() - g0) / 1000) * (batch / 32);
    for (let b = 0; b < batches; b++) {
      const part = orgs.slice(b * batch, (b + 1) * batch);
      if (!part.length) break;
      const b0 = now();
      const toCome = perBatchSec * (batches - b) + 1;
      await emulator.control('PUT', 'lifetimes', {
        crmTicketSec: Math.round(marginSec + toCome + (intervalSec * (b + 1)) / batches),
      });
      await pool(part, 8, async (o) => {
        const t = await discovery.retrieveCrmTicket(o.name, passport.ticket);
        rows.push({
          orgId: o.id,
          passportEnc: box.seal(passport.ticket, `ticket|${o.id}|passport`),
          crmEnc: box.seal(t.crmTicket, `ticket|${o.id}|crm`),
          crmExpiresAt: t.expirationDate,
        });
      });
      perBatchSec = 0.7 * perBatchSec + 0.3 * ((now() - b0) / 1000);
    }
    // Then the org rows and their tickets in one transaction, so that the refresh sweep sees all or none.
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO orgs (id, discovery_url, friendly_name, organization_name, organization_id, crm_service_url,
                         crm_metadata_service_url, web_application_url, policy, certificate_id, status,
                         service_account_user_id, service_account_name)
       SELECT s.id, c.discovery_url, s.friendly, s.name, s.org_id,
              replace(c.crm_service_url, '/contoso/', '/' || s.name || '/'),
              replace(c.crm_metadata_service_url, '/contoso/', '/' || s.name || '/'),
              replace(c.web_application_url, '/contoso/', '/' || s.name || '/'),
              c.policy, c.certificate_id, 'active', s.sa_id, c.service_account_name
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[]) AS s(id, name, friendly, org_id, sa_id)
        CROSS JOIN (SELECT * FROM orgs WHERE id = $6) c`,
      [
        apiIds,
        orgs.map((o) => o.name),
        orgs.map((o) => o.friendlyName),
        orgs.map((o) => o.emulatorId),
        orgs.map((o) => o.serviceAccountId),
        stack.orgId,
      ],
    );
    await db.query(
      `INSERT INTO tickets (org_id, generation, passport_ticket_enc, passport_expires_at, passport_issued_at,
                            crm_ticket_enc, crm_issued_at, crm_expires_at, kek_id, refresh_count, last_refresh_at,
                            updated_at)
       SELECT s.org_id, 1, s.passport, $2, $3, s.crm, now(), s.expires, 'bench', 0, now(), now()
         FROM unnest($1::uuid[], $4::bytea[], $5::bytea[], $6::timestamptz[]) AS s(org_id, passport, crm, expires)`,
      [
        rows.map((r) => r.orgId),
        passport.expires,
        passport.created,
        rows.map((r) => r.passportEnc),
        rows.map((r) => r.crmEnc),
        rows.map((r) => r.crmExpiresAt),
      ],
    );
    await db.query('COMMIT');
    const firstExpiry = Math.min(...rows.map((r) => r.crmExpiresAt.getTime()));
    await emulator.control('PUT', 'lifetimes', { crmTicketSec: lifetimeSec });
    const apiSeedSec = (now() - s1) / 1000;
    log(
      `  ${n} orgs: emulator seeded in ${round(emulatorSeedSec, 1)} s, API rows and tickets in ${round(apiSeedSec, 1)} s; CRM ticket ${lifetimeSec} s, refresh-ahead ${aheadSec} s`,
    );

    // ------------------------------------------------------------ start-up and day: the sweep runs now
    const t0 = await dbNow(db);
    await db.query(
      `UPDATE pgboss.job SET start_after = now() WHERE name = 'ticket-refresh-sweep' AND state = 'created'`,
    );
    const queuedAll = async () =>
      Number(
        (
          await db.query(
            `SELECT count(DISTINCT singleton_key) AS n FROM pgboss.job
              WHERE name = 'ticket-refresh' AND singleton_key = ANY($1::text[])`,
            [apiIds],
          )
        ).rows[0].n,
      );
    const meter = cpuMeter(procs);
    // The calls run from the start-up to the end of the day.
    const callsDone = { ok: 0, failed: 0, errors: {} };
    let stopCalls = false;
    const dayLoad = (async () => {
      const call = paced(() => whoAmI(apiIds[Math.floor(Math.random() * apiIds.length)]));
      const inflight = new Set();
      for (let i = 0; !stopCalls; i++) {
        const p = call(i).then(
          () => callsDone.ok++,
          (err) => {
            callsDone.failed++;
            const k = String(err?.code ?? err?.message ?? err).slice(0, 120);
            callsDone.errors[k] = (callsDone.errors[k] ?? 0) + 1;
          },
        );
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
        if (inflight.size >= cfg.callConcurrency) await Promise.race(inflight);
      }
      await Promise.all(inflight);
    })();
    // When every org has its refresh queued (the sweep's start-up work); then the day.
    const q0 = now();
    let queued = 0;
    while ((queued = await queuedAll()) < n && now() - q0 < 300_000) await sleep(1000);
    const sweepSec = (now() - q0) / 1000;
    // From here on the API's work is the refreshes (and the light calls): the CPU per refresh is measured here.
    const sweepCpu = meter.delta();
    const tq = await dbNow(db);
    const refreshMeter = cpuMeter(procs);
    const callsAtTq = callsOk;
    await sleep(cfg.dayMs);
    stopCalls = true;
    await dayLoad;
    const cpu = refreshMeter.delta();
    const callsAfterTq = callsOk - callsAtTq;
    const t1 = await dbNow(db);
    await sleep(1500); // the last refreshes' latencies are written just after their tickets
    log(
      `    start-up: the sweep queued ${queued} of ${n} refreshes in ${round(sweepSec, 1)} s (CPU ${round((sweepCpu.api + sweepCpu.postgres) / n, 2)} ms per org); day: ${callsDone.ok} calls${callsDone.failed ? ` (${callsDone.failed} FAILED ${JSON.stringify(callsDone.errors)})` : ''}`,
    );

    // ------------------------------------------------------------ what happened, from the API's own records
    const events = (
      await db.query(
        `SELECT type, extract(epoch FROM at) * 1000 AS at_ms, coalesce(latency_ms, 0) AS latency_ms
           FROM ticket_events WHERE at >= $1 AND at < $2 AND org_id = ANY($3::uuid[]) ORDER BY at`,
        [t0, t1, apiIds],
      )
    ).rows.map((r) => ({ type: r.type, at: Number(r.at_ms), latency: Number(r.latency_ms) }));
    const t0ms = t0.getTime();
    const t1ms = t1.getTime();
    const tqms = tq.getTime();
    const refreshes = events.filter((e) => e.type === 'issued' || e.type === 'refreshed');
    const measured = refreshes.filter((e) => e.at >= tqms);
    const expiredFaults = events.filter((e) => e.type === 'expired-fault').length;
    const failures = events.filter((e) => e.type === 'failure').length;
    const ledger8004A101 = Number(
      (
        await db.query(
          `SELECT count(*) AS n FROM crm_calls WHERE at >= $1 AND error_code ILIKE '%8004A101%'`,
          [t0],
        )
      ).rows[0].n,
    );
    const jobs = (
      await db.query(
        `SELECT extract(epoch FROM started_on) * 1000 AS s, extract(epoch FROM completed_on) * 1000 AS e,
                output->>'refreshed' AS refreshed
           FROM pgboss.job WHERE name = 'ticket-refresh' AND started_on >= $1 AND started_on < $2`,
        [t0, t1],
      )
    ).rows;
    const jobRefreshes = jobs.filter((j) => j.refreshed === 'true').length;
    const peak = peakOverlap(refreshes.map((e) => [e.at - e.latency, e.at]));
    const peakJobs = peakOverlap(jobs.filter((j) => j.e !== null).map((j) => [Number(j.s), Number(j.e)]));
    // Refreshes per 5 s from the sweep on, and what the tickets' expiries asked for in the same buckets.
    const nBuckets = Math.ceil((t1ms - t0ms) / 1000 / BUCKET_SEC);
    const buckets = Array.from({ length: nBuckets }, () => 0);
    for (const e of refreshes) {
      const b = Math.floor((e.at - t0ms) / 1000 / BUCKET_SEC);
      if (b >= 0 && b < nBuckets) buckets[b]++;
    }
    const inFirst5s = buckets[0] ?? 0;
    const full = buckets.slice(0, Math.floor((t1ms - t0ms) / 1000 / BUCKET_SEC));
    const meanPerBucket = full.reduce((a, b) => a + b, 0) / Math.max(1, full.length);
    const latencies = refreshes.map((e) => e.latency);
    const daySec = (t1ms - t0ms) / 1000;
    const cpuTotal = cpu.api + cpu.postgres;
    const callsCpu = callsAfterTq * callCpuMs;
    const cpuPerRefresh = Math.max(0, cpuTotal - callsCpu) / Math.max(1, measured.length);
    const result = {
      orgs: n,
      crmTicketLifetimeSec: lifetimeSec,
      refreshAheadSec: aheadSec,
      emulatorSeedSec: round(emulatorSeedSec, 1),
      apiSeedSec: round(apiSeedSec, 1),
      startup: {
        sweepQueued: queued,
        sweepSec: round(sweepSec, 1),
        sweepCpuMsPerOrg: {
          api: round(sweepCpu.api / n, 2),
          postgres: round(sweepCpu.postgres / n, 2),
        },
        refreshesInFirst5s: inFirst5s,
        firstExpiryAfterSec: round((firstExpiry - t0ms) / 1000, 1),
      },
      day: {
        sec: round(daySec, 1),
        refreshes: refreshes.length,
        refreshesPerSec: round(refreshes.length / daySec, 1),
        refreshesPerOrg: round(refreshes.length / n, 2),
        byRefreshJob: jobRefreshes,
        byCalls: Math.max(0, refreshes.length - jobRefreshes),
        refreshLatencyP50Ms: percentile(latencies, 50),
        refreshLatencyP99Ms: percentile(latencies, 99),
        calls: callsDone.ok,
        callsFailed: callsDone.failed,
        callErrors: callsDone.errors,
        // Measured from the moment every org had its refresh queued to the end of the day:
        measuredSec: round((t1ms - tqms) / 1000, 1),
        measuredRefreshes: measured.length,
        cpuMs: { api: cpu.api, postgres: cpu.postgres },
        callCpuMsEach: round(callCpuMs, 2),
        cpuMsPerRefreshRaw: round(cpuTotal / Math.max(1, measured.length), 2),
        cpuMsPerRefresh: round(cpuPerRefresh, 2),
      },
      peakConcurrent: { refreshes: peak, refreshJobs: peakJobs },
      expiredFaults,
      ledger8004A101,
      refreshFailures: failures,
      refreshesPer5s: buckets,
      per5sMean: round(meanPerBucket, 1),
      per5sMax: Math.max(0, ...full),
    };
    log(
      `    ${refreshes.length} refreshes in ${round(daySec, 0)} s (${result.day.refreshesPerSec}/s, ${result.day.refreshesPerOrg} per org; ${jobRefreshes} by the refresh job, the rest by calls that found the ticket due)`,
    );
    log(
      `    CPU per refresh ${round(cpuPerRefresh, 2)} ms over the last ${result.day.measuredSec} s, ${measured.length} refreshes (raw ${result.day.cpuMsPerRefreshRaw}, calls ${round(callCpuMs, 2)} ms each); peak in flight ${peak} (jobs ${peakJobs}); expired faults ${expiredFaults} (ledger ${ledger8004A101}); failures ${failures}`,
    );
    log(`    refreshes per ${BUCKET_SEC} s: ${buckets.join(' ')}`);
    return result;
  } finally {
    await Promise.allSettled([discovery.close(), wlid.close()]);
    await client.close().catch(() => undefined);
    await db.end().catch(() => undefined);
    await stack.close();
  }
}

export async function run({ quick = false, log = console.log } = {}) {
  const cfg = settings(quick);
  const details = {};
  for (const n of cfg.sizes) details[`orgs${n}`] = await measureSize(n, cfg, log);
  const big = details[`orgs${cfg.sizes[cfg.sizes.length - 1]}`];
  const small = details[`orgs${cfg.sizes[0]}`];
  const also = (f) => `${f(small)} at ${small.orgs}`;
  const figures = {
    refreshCpuMsPerOrg: {
      value: big.day.cpuMsPerRefresh,
      unit: 'ms',
      note: `API + Postgres CPU per refresh at ${big.orgs} orgs, ${big.day.measuredRefreshes} refreshes in ${big.day.measuredSec} s after the start-up sweep, the calls' share taken off; ${also((d) => `${d.day.cpuMsPerRefresh} ms`)}`,
    },
    refreshPeakConcurrent: {
      value: big.peakConcurrent.refreshes,
      note: `most refreshes in flight at ${big.orgs} orgs (refresh jobs ${big.peakConcurrent.refreshJobs}, the rest started by calls); ${also((d) => d.peakConcurrent.refreshes)}`,
    },
    refreshMissedExpiries: {
      value: big.expiredFaults,
      target: '0',
      pass: big.expiredFaults === 0 && small.expiredFaults === 0,
      note: `calls that met an expired CRM ticket (8004A101) at ${big.orgs} orgs, ${big.day.calls} calls on random orgs; ${also((d) => d.expiredFaults)}`,
    },
  };
  return { figures, details };
}
