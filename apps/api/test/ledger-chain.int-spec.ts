import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ledgerRepositoryFor,
  type LedgerChainContent,
  type LedgerRepository,
} from '../src/crm/ledger.repository';
import { LedgerService } from '../src/crm/ledger.service';
import { createDataSource } from '../src/database/data-source';
import { ENTITIES } from '../src/database/entities';
import type { JobsService } from '../src/jobs/jobs.service';
import { rowHash, sealAfter } from '../src/ledger-chain/chain-hash';
import { LedgerChainService } from '../src/ledger-chain/ledger-chain.service';
import { runVerifyCommand } from '../src/ledger-chain/verify-command';
import { OnboardingRunEntity } from '../src/orgs/onboarding-run.entity';
import { OrgDirectory } from '../src/orgs/org-directory';
import { OrgEntity } from '../src/orgs/org.entity';
import { OrgsRepository } from '../src/orgs/orgs.repository';
import { ConsoleClient, freshDatabase, json, startTestApi, type TestApi } from './harness';
import { chainContent } from './support/ledger-chain-rows';
import { insertActiveOrg, insertPlaceholderCertificate } from './support/rows';

/**
 * The ledger's hash chain on a real Postgres: sealing (the call path's rows, reconciliation's settled ones, two
 * sealers at once), the triggers, and verification after an attacker with the table owner's rights (the guard
 * trigger disabled) edited, deleted, reordered or forged rows. Each test has an org of its own.
 */
describe('ledger hash chain (real Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ds: DataSource;
  let repo: LedgerRepository;
  let ledger: LedgerService;
  let chain: LedgerChainService;
  let certId: string;
  const noJobs = { register: () => undefined } as unknown as JobsService;

  const serviceOver = (d: DataSource, instanceId: string) => {
    const l = new LedgerService(ledgerRepositoryFor(d), { instanceId });
    const orgs = new OrgDirectory(
      new OrgsRepository(d.getRepository(OrgEntity), d.getRepository(OnboardingRunEntity)),
    );
    return { ledger: l, chain: new LedgerChainService(l, orgs, noJobs) };
  };
  const newOrg = () => insertActiveOrg(ds, certId, `org ${randomUUID()}`);
  /** n calls through the call path: every third fails, the others complete. */
  const calls = async (orgId: string, n: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = await ledger.begin({ orgId, operation: 'Create', entity: 'account', requestId: `r${i}` });
      if (i % 3 === 2)
        await ledger.fail(orgId, id, { errorCode: 'X', errorMessage: `no ${i}`, latencyMs: i });
      else await ledger.complete(orgId, id, { recordId: randomUUID(), latencyMs: i });
      ids.push(id);
    }
    return ids;
  };
  const sealed = (orgId: string) =>
    ds.query(
      `SELECT id, chain_seq::int AS seq, prev_hash, row_hash FROM crm_calls WHERE org_id = $1 AND chain_seq IS NOT NULL ORDER BY chain_seq`,
      [orgId],
    ) as Promise<{ id: string; seq: number; prev_hash: string; row_hash: string }[]>;
  /** What an attacker with the owner's rights does: the guard trigger disabled for the statements. */
  const asOwner = (statements: [string, unknown[]?][]) =>
    ds.transaction(async (m) => {
      await m.query(`ALTER TABLE crm_calls DISABLE TRIGGER USER`);
      for (const [sql, params] of statements) await m.query(sql, params);
      await m.query(`ALTER TABLE crm_calls ENABLE TRIGGER USER`);
    });
  /** An org with n sealed rows; their ids in chain order. */
  const sealedOrg = async (n: number) => {
    const orgId = await newOrg();
    await calls(orgId, n);
    expect(await chain.sealOrg(orgId)).toBe(n);
    return { orgId, ids: (await sealed(orgId)).map((r) => r.id) };
  };

  beforeAll(async () => {
    db = await freshDatabase();
    ds = createDataSource(db.url, ENTITIES);
    await ds.initialize();
    certId = await insertPlaceholderCertificate(ds);
    ({ ledger, chain } = serviceOver(ds, 'chain-spec:1'));
    repo = ledgerRepositoryFor(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('seals completed and failed rows into a linked chain that verifies; a pending row waits', async () => {
    const orgId = await newOrg();
    const ids = await calls(orgId, 5);
    const pending = await ledger.begin({ orgId, operation: 'WhoAmI' });
    expect(await chain.sealOrg(orgId)).toBe(5);
    const rows = await sealed(orgId);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(ids));
    expect(rows[0]!.prev_hash).toBe('0'.repeat(64));
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.row_hash);
    const [p] = (await ds.query(`SELECT chain_seq, sealed_at FROM crm_calls WHERE id = $1`, [pending])) as {
      chain_seq: string | null;
    }[];
    expect(p!.chain_seq).toBeNull();
    const [head] = (await ds.query(
      `SELECT seq::int AS seq, hash FROM crm_call_chain_heads WHERE org_id = $1`,
      [orgId],
    )) as { seq: number; hash: string }[];
    expect(head).toEqual({ seq: 5, hash: rows[4]!.row_hash });

    const v = await chain.verify(orgId);
    const [last] = (await ds.query(
      `SELECT to_char(max(sealed_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t FROM crm_calls WHERE org_id = $1`,
      [orgId],
    )) as { t: string }[];
    expect(v).toEqual({ orgId, rows: 5, verifiedThrough: last!.t, headSeq: '5', break: null });
    expect(await chain.sealOrg(orgId)).toBe(0);
  });

  it('seals a pending row once reconciliation settles it, after the others; the chain still verifies, verdicts may change', async () => {
    const orgId = await newOrg();
    await calls(orgId, 2);
    const pending = await ledger.begin({ orgId, operation: 'Create', entity: 'account' });
    await chain.sealOrg(orgId);
    await repo.failPendingAsCrashed(orgId, pending);
    expect(await chain.sealOrg(orgId)).toBe(1);
    expect((await sealed(orgId)).at(-1)).toMatchObject({ id: pending, seq: 3 });
    // Reconciliation's verdict is not covered: it may change on a sealed row.
    await repo.markReconciliation(orgId, [pending], 'missing', 'the record is not in CRM');
    // The call's late reply leaves the sealed row as it is, without failing.
    await ledger.complete(orgId, pending, { recordId: randomUUID(), latencyMs: 5 });
    const [row] = (await ds.query(`SELECT outcome, error_code, reconciliation FROM crm_calls WHERE id = $1`, [
      pending,
    ])) as Record<string, unknown>[];
    expect(row).toEqual({
      outcome: 'failed',
      error_code: 'CRASHED_UNKNOWN_OUTCOME',
      reconciliation: 'missing',
    });
    expect(await chain.verify(orgId)).toMatchObject({ rows: 3, break: null });
  });

  it('refuses, by trigger, an UPDATE of a sealed row’s covered or chain column, its DELETE, and a row inserted sealed', async () => {
    const { orgId, ids } = await sealedOrg(2);
    await expect(
      ds.query(`UPDATE crm_calls SET error_message = 'edited' WHERE id = $1`, [ids[0]]),
    ).rejects.toThrow(/ledger row .* is sealed: only its reconciliation verdict and note may change/);
    await expect(ds.query(`UPDATE crm_calls SET chain_seq = 7 WHERE id = $1`, [ids[1]])).rejects.toThrow(
      /is sealed/,
    );
    await expect(ds.query(`DELETE FROM crm_calls WHERE id = $1`, [ids[1]])).rejects.toThrow(
      /ledger row .* is sealed: it cannot be deleted/,
    );
    await expect(
      ds.query(
        `INSERT INTO crm_calls (org_id, operation, outcome, chain_seq, prev_hash, row_hash, sealed_at)
         VALUES ($1, 'WhoAmI', 'completed', 3, 'x', 'y', now())`,
        [orgId],
      ),
    ).rejects.toThrow(/inserted sealed/);
    await expect(
      ds.query(`UPDATE crm_call_chain_heads SET seq = 1 WHERE org_id = $1`, [orgId]),
    ).rejects.toThrow(/only moves forward/);
    expect(await chain.verify(orgId)).toMatchObject({ rows: 2, break: null });
  });

  it("deletes an org's sealed rows and its head with the org (ON DELETE CASCADE)", async () => {
    const { orgId } = await sealedOrg(3);
    await ds.query(`DELETE FROM orgs WHERE id = $1`, [orgId]);
    expect(await ds.query(`SELECT 1 FROM crm_calls WHERE org_id = $1`, [orgId])).toEqual([]);
    expect(await ds.query(`SELECT 1 FROM crm_call_chain_heads WHERE org_id = $1`, [orgId])).toEqual([]);
  });

  it('finds a covered column edited by the owner: changed, at that row', async () => {
    const { orgId, ids } = await sealedOrg(5);
    await asOwner([[`UPDATE crm_calls SET on_behalf_of_name = 'Someone else' WHERE id = $1`, [ids[2]]]]);
    expect(await chain.verify(orgId)).toMatchObject({
      rows: 2,
      break: { kind: 'changed', rowId: ids[2], seq: '3' },
    });
  });

  it('finds an instant moved by one microsecond: changed', async () => {
    const { orgId, ids } = await sealedOrg(3);
    await asOwner([[`UPDATE crm_calls SET at = at + interval '1 microsecond' WHERE id = $1`, [ids[1]]]]);
    expect((await chain.verify(orgId)).break).toMatchObject({ kind: 'changed', rowId: ids[1], seq: '2' });
  });

  it('finds a deleted middle row: deleted, at the row after the gap', async () => {
    const { orgId, ids } = await sealedOrg(5);
    await asOwner([[`DELETE FROM crm_calls WHERE id = $1`, [ids[2]]]]);
    const v = await chain.verify(orgId);
    expect(v).toMatchObject({ rows: 2, break: { kind: 'deleted', rowId: ids[3], seq: '4' } });
    expect(v.break!.detail).toContain('seq 3 is missing');
  });

  it('finds a deleted last row: deleted, the head beyond the last row', async () => {
    const { orgId, ids } = await sealedOrg(4);
    await asOwner([[`DELETE FROM crm_calls WHERE id = $1`, [ids[3]]]]);
    expect(await chain.verify(orgId)).toMatchObject({
      rows: 3,
      headSeq: '4',
      break: { kind: 'deleted', rowId: null, seq: '4' },
    });
  });

  it("finds two rows whose seqs were swapped: reordered, at the first of them in the chain's new order", async () => {
    const { orgId, ids } = await sealedOrg(5);
    await asOwner([
      [`UPDATE crm_calls SET chain_seq = -1 WHERE id = $1`, [ids[1]]],
      [`UPDATE crm_calls SET chain_seq = 2 WHERE id = $1`, [ids[2]]],
      [`UPDATE crm_calls SET chain_seq = 3 WHERE id = $1`, [ids[1]]],
    ]);
    expect(await chain.verify(orgId)).toMatchObject({
      rows: 1,
      break: { kind: 'reordered', rowId: ids[2], seq: '2' },
    });
  });

  it('finds a forged row, hashed and linked as the sealer would, with the later seqs shifted: inserted, naming it', async () => {
    const { orgId, ids } = await sealedOrg(4);
    const [before] = (await ds.query(
      `SELECT row_hash, to_char(sealed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS sealed_at
         FROM crm_calls WHERE id = $1`,
      [ids[1]],
    )) as { row_hash: string; sealed_at: string }[];
    const forged: LedgerChainContent = chainContent({
      id: randomUUID(),
      org_id: orgId,
      at: '2026-01-02T03:04:05.123456Z',
      completed_at: '2026-01-02T03:04:05.223456Z',
      operation: 'Delete',
      entity: 'account',
      record_id: randomUUID(),
      latency_ms: '12',
      request_id: 'forged',
    });
    const hash = rowHash(forged, { seq: '3', sealedAt: before!.sealed_at, prevHash: before!.row_hash });
    await asOwner([
      [`UPDATE crm_calls SET chain_seq = -chain_seq WHERE org_id = $1 AND chain_seq >= 3`, [orgId]],
      [`UPDATE crm_calls SET chain_seq = 1 - chain_seq WHERE org_id = $1 AND chain_seq < 0`, [orgId]],
      [
        `INSERT INTO crm_calls (id, org_id, at, completed_at, operation, entity, record_id, outcome, latency_ms, request_id,
                                chain_seq, prev_hash, row_hash, sealed_at)
         VALUES ($1, $2, $3, $4, 'Delete', 'account', $5, 'completed', 12, 'forged', 3, $6, $7, $8)`,
        [
          forged.id,
          orgId,
          forged.at,
          forged.completed_at,
          forged.record_id,
          before!.row_hash,
          hash,
          before!.sealed_at,
        ],
      ],
      [`UPDATE crm_call_chain_heads SET seq = seq + 1 WHERE org_id = $1`, [orgId]],
    ]);
    expect(await chain.verify(orgId)).toMatchObject({
      rows: 3,
      break: { kind: 'inserted', rowId: forged.id, seq: '3' },
    });
  });

  it('two instances sealing one org at once take turns on the head: one chain, every row once, no fork', async () => {
    const orgId = await newOrg();
    const other = createDataSource(db.url, ENTITIES);
    await other.initialize();
    try {
      const b = serviceOver(other, 'chain-spec:2');
      const sealers = [ledger, b.ledger];
      let writing = true;
      // Both instances seal in small batches while calls keep completing.
      const loops = sealers.map(async (l) => {
        let n = 0;
        while (writing) n += await l.sealNext(orgId, 7, sealAfter);
        for (let k; (k = await l.sealNext(orgId, 7, sealAfter));) n += k;
        return n;
      });
      await calls(orgId, 120);
      writing = false;
      const counts = await Promise.all(loops);
      expect(counts[0]! + counts[1]!).toBe(120);
      expect(counts.every((c) => c > 0)).toBe(true);
      expect((await sealed(orgId)).map((r) => r.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
      expect(await chain.verify(orgId)).toMatchObject({ rows: 120, headSeq: '120', break: null });
    } finally {
      await other.destroy();
    }
  });

  it('refuses TRUNCATE of the ledger and of the chain heads, also through TRUNCATE orgs CASCADE', async () => {
    const { orgId } = await sealedOrg(2);
    for (const sql of [
      'TRUNCATE crm_calls',
      'TRUNCATE crm_call_chain_heads',
      'TRUNCATE crm_calls, crm_call_chain_heads',
      'TRUNCATE orgs CASCADE',
    ]) {
      await expect(ds.query(sql), sql).rejects.toMatchObject({
        code: '23000',
        message: expect.stringMatching(
          /^crm_call(s|_chain_heads) is part of the ledger hash chain: it cannot be truncated$/,
        ),
      });
    }
    expect(await sealed(orgId)).toHaveLength(2);
    expect(await chain.verify(orgId)).toMatchObject({ rows: 2, headSeq: '2', break: null });
  });

  it('the sealer job goes on past an org it cannot seal; audit:verify names an org whose head is gone and one whose rows are gone', async () => {
    const d2 = await freshDatabase();
    const ds2 = createDataSource(d2.url, ENTITIES);
    await ds2.initialize();
    try {
      const s = serviceOver(ds2, 'chain-spec:4');
      const cert = await insertPlaceholderCertificate(ds2);
      const [a, headless, z, rowless] = await Promise.all(
        ['a', 'headless', 'z', 'rowless'].map((n) => insertActiveOrg(ds2, cert, n)),
      );
      const call = async (o: string) =>
        s.ledger.complete(o, await s.ledger.begin({ orgId: o, operation: 'WhoAmI' }), { latencyMs: 1 });
      for (const o of [a!, headless!, z!, rowless!]) for (let i = 0; i < 3; i++) await call(o);
      await s.chain.sealAll();
      // The owner removes one org's head and another org's sealed rows (each table's guard disabled).
      await ds2.transaction(async (m) => {
        await m.query(`ALTER TABLE crm_call_chain_heads DISABLE TRIGGER USER`);
        await m.query(`DELETE FROM crm_call_chain_heads WHERE org_id = $1`, [headless]);
        await m.query(`ALTER TABLE crm_call_chain_heads ENABLE TRIGGER USER`);
        await m.query(`ALTER TABLE crm_calls DISABLE TRIGGER USER`);
        await m.query(`DELETE FROM crm_calls WHERE org_id = $1`, [rowless]);
        await m.query(`ALTER TABLE crm_calls ENABLE TRIGGER USER`);
      });

      // The headless org's sealer starts a new chain at seq 1, which its sealed rows hold: that org fails, the
      // orgs on either side of it are still sealed.
      for (const o of [a!, headless!, z!]) await call(o);
      const run = await s.chain.sealAll();
      expect(run[a!]).toBe(1);
      expect(run[z!]).toBe(1);
      expect(run[headless!]).toEqual({ error: expect.stringMatching(/^23505 /) });
      expect(
        (await ds2.query(`SELECT count(*)::int AS n FROM crm_calls WHERE org_id = $1 AND chain_seq IS NULL`, [
          headless,
        ])) as { n: number }[],
      ).toEqual([{ n: 1 }]);

      const lines: string[] = [];
      expect(await runVerifyCommand(d2.url, (l) => lines.push(l))).toBe(1);
      expect(lines).toContainEqual(
        `org ${rowless}: BROKEN: the chain head is at seq 3 and no sealed row is left (the rows were deleted)`,
      );
      expect(lines.filter((l) => l.startsWith(`org ${rowless}:`))).toHaveLength(1);
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^org ${a}: ok, 4 rows verified`)));
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^org ${z}: ok, 4 rows verified`)));
      expect(lines.at(-1)).toBe('2 of 4 org chains are broken');
      // The failed run re-created the head at seq 0 and rolled back: the head is still missing.
      expect(lines).toContainEqual(
        `org ${headless}: BROKEN: 3 sealed rows and no chain head (the head was deleted)`,
      );
    } finally {
      await ds2.destroy();
      await d2.drop();
    }
  });

  it('npm run audit:verify prints each org and exits 1 with the first break of a broken chain, 0 once every chain verifies', async () => {
    const d2 = await freshDatabase();
    const ds2 = createDataSource(d2.url, ENTITIES);
    await ds2.initialize();
    try {
      const s = serviceOver(ds2, 'chain-spec:3');
      const cert = await insertPlaceholderCertificate(ds2);
      const good = await insertActiveOrg(ds2, cert, 'good');
      const bad = await insertActiveOrg(ds2, cert, 'bad');
      for (const o of [good, bad])
        for (let i = 0; i < 3; i++)
          await s.ledger.complete(o, await s.ledger.begin({ orgId: o, operation: 'WhoAmI' }), {
            latencyMs: 1,
          });
      await s.chain.sealOrg(good);
      await s.chain.sealOrg(bad);
      const lines: string[] = [];
      expect(await runVerifyCommand(d2.url, (l) => lines.push(l))).toBe(0);
      expect(lines).toContainEqual(
        expect.stringMatching(new RegExp(`^org ${good}: ok, 3 rows verified through 20`)),
      );
      expect(lines.at(-1)).toBe('2 org chains verified');

      await ds2.transaction(async (m) => {
        await m.query(`ALTER TABLE crm_calls DISABLE TRIGGER USER`);
        await m.query(`UPDATE crm_calls SET latency_ms = 999 WHERE org_id = $1 AND chain_seq = 2`, [bad]);
        await m.query(`ALTER TABLE crm_calls ENABLE TRIGGER USER`);
      });
      const [row] = (await ds2.query(`SELECT id FROM crm_calls WHERE org_id = $1 AND chain_seq = 2`, [
        bad,
      ])) as {
        id: string;
      }[];
      lines.length = 0;
      expect(await runVerifyCommand(d2.url, (l) => lines.push(l))).toBe(1);
      expect(lines).toContainEqual(
        expect.stringMatching(new RegExp(`^org ${bad}: BROKEN at seq 2 \\(row ${row!.id}\\): changed`)),
      );
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^org ${good}: ok`)));
      expect(lines.at(-1)).toBe('1 of 2 org chains are broken');
    } finally {
      await ds2.destroy();
      await d2.drop();
    }
  });
});

describe('GET /api/audit/verify', () => {
  let t: TestApi;
  let admin: ConsoleClient;
  let orgId: string;
  beforeAll(async () => {
    t = await startTestApi();
    admin = new ConsoleClient(t.url);
    await admin.login(t.adminEmail, t.adminPassword);
    const ds = createDataSource(t.config.databaseUrl, ENTITIES, { poolSize: 1 });
    await ds.initialize();
    try {
      orgId = await insertActiveOrg(ds, await insertPlaceholderCertificate(ds), 'verify-route');
    } finally {
      await ds.destroy();
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it("reports an org's chain, 404 for an unknown org and 400 for an org id that is not a uuid", async () => {
    const res = await admin.get(`/api/audit/verify?orgId=${orgId}`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ orgId, rows: 0, verifiedThrough: null, headSeq: null, break: null });
    const missing = await admin.get(`/api/audit/verify?orgId=${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(await json(missing)).toMatchObject({ code: 'ORG_NOT_FOUND' });
    expect((await admin.get(`/api/audit/verify?orgId=nope`)).status).toBe(400);
  });

  it('answers an API key with audit:read and refuses one with only calls (API_KEY_SCOPE)', async () => {
    const key = async (body: Record<string, unknown>) => {
      const res = await admin.post('/api/api-keys', body);
      expect(res.status, await res.clone().text()).toBe(201);
      return ((await res.json()) as { key: string }).key;
    };
    const verify = (k: string) =>
      fetch(`${t.url}/api/audit/verify?orgId=${orgId}`, { headers: { authorization: `Bearer ${k}` } });
    expect((await verify(await key({ name: 'auditor', scopes: ['audit:read'] }))).status).toBe(200);
    const refused = await verify(await key({ name: 'caller', scopes: ['calls'], orgIds: [orgId] }));
    expect(refused.status).toBe(403);
    expect(await json(refused)).toMatchObject({ code: 'API_KEY_SCOPE' });
  });
});
