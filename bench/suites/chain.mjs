// ledgerChainCpuUsPerCall: the CPU the ledger's hash chain costs per ledger row: the sealer's work
// (LedgerService.sealNext with ledger-chain's sealAfter, 1,000 rows per transaction, as the sealer job runs it)
// over rows already completed, counted in this process (the hashing, the driver) and in Postgres (the head
// lock, the SELECT, the UPDATE of every row and its indexes), divided by the rows sealed. The call path itself
// does not change (the rows are inserted and completed as before); this is the extra the chain adds to each call.
import { createRequire } from 'node:module';
import { freshDatabase, postgres } from '../lib/stack.mjs';
import { cpuMeter, now, round } from '../lib/util.mjs';

const require = createRequire(import.meta.url);
const { createDataSource } = require('@onbehalf/api/dist/database/data-source.js');
const { ENTITIES } = require('@onbehalf/api/dist/database/entities.js');
const { migrate } = require('@onbehalf/api/dist/database/migrate.js');
const { ledgerRepositoryFor } = require('@onbehalf/api/dist/crm/ledger.repository.js');
const { LedgerService } = require('@onbehalf/api/dist/crm/ledger.service.js');
const { sealAfter } = require('@onbehalf/api/dist/ledger-chain/chain-hash.js');
const { SEAL_BATCH } = require('@onbehalf/api/dist/ledger-chain/ledger-chain.service.js');
const { verifyFromCursor } = require('@onbehalf/api/dist/ledger-chain/chain-reader.js');

export const name = 'chain';

/** Rows completed like the call path's (every field a real call fills), in one org. */
async function seed(ds, rows) {
  const [cert] = await ds.query(
    `INSERT INTO certificates (name, service_account_live_id, subject, issuer, serial_number, thumbprint_sha1_hex,
       thumbprint_sha1_base64, thumbprint_sha256, not_before, not_after, status, certificate_pem, private_key_enc, kek_id)
     VALUES ('bench', 'svc@bench.example', 'CN=bench', 'CN=bench', '01', 'aa', 'qq==', md5(random()::text),
       now() - interval '1 day', now() + interval '1 year', 'valid', 'PEM', '\\x00', 'bench') RETURNING id`,
  );
  const [org] = await ds.query(
    `INSERT INTO orgs (discovery_url, friendly_name, certificate_id, status) VALUES ('https://d.example', 'Bench', $1, 'active') RETURNING id`,
    [cert.id],
  );
  await ds.query(
    `INSERT INTO crm_calls (org_id, at, completed_at, operation, entity, record_id, service_account_id, service_account_name,
                            on_behalf_of_id, on_behalf_of_name, on_behalf_of_puid, outcome, latency_ms, request_id, caller, instance)
     SELECT $1, now() - (g || ' ms')::interval, now() - (g || ' ms')::interval + interval '40 ms', 'Create', 'account',
            gen_random_uuid(), gen_random_uuid(), 'ERP_Integration', gen_random_uuid(), 'Jon Wilson ' || g, '0003BFFD8F3A5B21',
            'completed', 40, 'req-' || g, 'api-key:bench', 'bench:1'
       FROM generate_series(1, $2) g`,
    [org.id, rows],
  );
  await ds.query('ANALYZE crm_calls');
  return org.id;
}

export async function run({ quick, log }) {
  const rows = quick ? 5_000 : 20_000;
  const pg = await postgres();
  const ds = createDataSource(await freshDatabase('chain'), ENTITIES, { poolSize: 2 });
  await ds.initialize();
  try {
    await migrate(ds);
    const orgId = await seed(ds, rows);
    const ledger = new LedgerService(ledgerRepositoryFor(ds), { instanceId: 'bench:1' });
    // Warm up (JIT, plans) on a first batch, then measure the rest.
    let sealed = await ledger.sealNext(orgId, SEAL_BATCH, sealAfter);
    const measured = rows - sealed;
    const meter = cpuMeter({ bench: {}, postgres: { pid: pg.postmasterPid, tree: true } });
    const t0 = now();
    for (let n; (n = await ledger.sealNext(orgId, SEAL_BATCH, sealAfter));) sealed += n;
    const ms = now() - t0;
    const cpu = meter.delta();
    if (sealed !== rows) throw new Error(`sealed ${sealed} rows, not ${rows}`);
    const verdict = await verifyFromCursor(() => ledger.openChainCursor(orgId));
    if (verdict.break || verdict.rows !== rows)
      throw new Error(`the sealed chain does not verify: ${JSON.stringify(verdict)}`);
    const perRow = ((cpu.bench + cpu.postgres) * 1000) / measured;
    log(
      `  sealed ${measured} rows in ${round(ms)} ms: ${round(perRow, 1)} µs CPU per row ` +
        `(this process ${round((cpu.bench * 1000) / measured, 1)} µs, Postgres ${round((cpu.postgres * 1000) / measured, 1)} µs)`,
    );
    return {
      figures: {
        ledgerChainCpuUsPerCall: {
          value: round(perRow, 1),
          unit: 'µs',
          note: `CPU (sealer process + Postgres) to seal one ledger row, ${measured} rows in batches of ${SEAL_BATCH}`,
        },
      },
      details: {
        rows: measured,
        wallMs: round(ms),
        sealerCpuMs: round(cpu.bench),
        postgresCpuMs: round(cpu.postgres),
        rowsPerSec: round((measured / ms) * 1000),
      },
    };
  } finally {
    await ds.destroy();
  }
}
