import { Client } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AdminAuditLogEntity } from '../src/admin-audit/admin-audit-log.entity';
import { AdminAuditRepository } from '../src/admin-audit/admin-audit.repository';
import { AdminAuditService } from '../src/admin-audit/admin-audit.service';
import { AuditService } from '../src/audit/audit.service';
import { LedgerService } from '../src/crm/ledger.service';
import { csvLine, LEDGER_CSV_HEADER, ledgerCsvFields } from '../src/audit/csv';
import type { AdminAuditQueryDto } from '../src/audit/dto/admin-audit-query.dto';
import type { AuditQueryDto } from '../src/audit/dto/audit-query.dto';
import type { RequestContext } from '../src/common/principal';
import { createDataSource } from '../src/database/data-source';
import { ENTITIES } from '../src/database/entities';
import { freshDatabase } from './harness';
import { ledgerRepository } from './support/ledger';
import { insertActiveOrg, insertPlaceholderCertificate } from './support/rows';

/**
 * AuditService on a real, migrated Postgres without the HTTP stack: search pages, the CSV export's
 * cursor, snapshot, batches and audit entry, the admin audit log's pages. Pinned for mutation testing;
 * every test stands alone on the rows written in beforeAll.
 */
const ctx: RequestContext = {
  principal: {
    kind: 'session',
    userId: null,
    email: 'auditor@example.test',
    name: 'A',
    role: 'auditor',
    sessionId: null,
    apiKeyId: null,
  },
  requestId: 'req-export',
  ip: '192.0.2.9',
  userAgent: 'spec',
};

describe('AuditService on Postgres', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ds: DataSource;
  /** A connection of its own, outside the pool, so that it can see a pooled connection left in a transaction. */
  let monitor: Client;
  let audit: AuditService;
  let orgId: string;
  let otherOrg: string;
  const sql = <T>(s: string, params: unknown[] = []) => ds.query(s, params) as Promise<T[]>;
  const search = (q: Partial<AuditQueryDto>) => audit.search(q as AuditQueryDto);
  const collect = async (it: AsyncGenerator<string, void, undefined>) => {
    const chunks: string[] = [];
    for await (const c of it) chunks.push(c);
    return chunks;
  };
  /** Sessions of this database other than the monitor's that are still in a transaction or running the export. */
  const busy = async () =>
    (
      await monitor.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
           AND (query LIKE '%ledger_export%' AND state <> 'idle' OR state LIKE 'idle in transaction%')`,
      )
    ).rows[0]!.n;

  beforeAll(async () => {
    db = await freshDatabase();
    ds = createDataSource(db.url, ENTITIES);
    await ds.initialize();
    audit = new AuditService(
      new LedgerService(ledgerRepository(ds), { instanceId: 'audit-spec' }),
      new AdminAuditService(new AdminAuditRepository(ds.getRepository(AdminAuditLogEntity))),
    );
    monitor = new Client({ connectionString: db.url });
    await monitor.connect();
    const certId = await insertPlaceholderCertificate(ds);
    const org = (name: string) => insertActiveOrg(ds, certId, name);
    orgId = await org('Contoso');
    otherOrg = await org('Fabrikam');
    // 'page': 60 calls one second apart, the last 4 sharing one instant (the id breaks the tie).
    await sql(
      `INSERT INTO crm_calls (org_id, at, operation, entity, record_id, outcome, reconciliation, request_id)
       SELECT $1, '2025-05-01'::timestamptz + least(g, 57) * interval '1 second' + interval '1 microsecond', 'Create', 'page', gen_random_uuid(), 'completed', 'match', 'page-' || g
       FROM generate_series(1, 60) g`,
      [orgId],
    );
    // 'bulk': 1001 calls for the export (three FETCH batches of 500).
    await sql(
      `INSERT INTO crm_calls (org_id, at, operation, entity, record_id, outcome, reconciliation, request_id)
       SELECT $1, '2024-01-01'::timestamptz + g * interval '1 second', 'Update', 'bulk', gen_random_uuid(), 'failed', 'unverified', 'bulk-' || g
       FROM generate_series(1, 1001) g`,
      [otherOrg],
    );
    for (let i = 1; i <= 7; i++) {
      await sql(
        `INSERT INTO admin_audit_log (actor_id, actor_email, ip, org_id, action, target, outcome, diff) VALUES (NULL, $1, '192.0.2.1', $2, $3, $4, $5, $6)`,
        [
          `admin${i}@example.test`,
          i === 7 ? orgId : null,
          `seed.action-${i}`,
          `target-${i}`,
          i === 3 ? 'failure' : 'success',
          i === 7 ? JSON.stringify({ name: 'k7' }) : null,
        ],
      );
    }
  });
  afterAll(async () => {
    await monitor?.end();
    await ds?.destroy();
    await db?.drop();
  });

  describe('search', () => {
    it('answers 50 items by default, newest first, with a cursor to the next page', async () => {
      const page = await search({ entity: 'page' });
      expect(page.items).toHaveLength(50);
      expect(page.items[0]!.requestId).toBeOneOf(['page-57', 'page-58', 'page-59', 'page-60']);
      const ats = page.items.map((i) => i.at);
      expect([...ats].sort().reverse()).toEqual(ats);
      expect(page.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    });

    it('walks every match once across pages, even across equal instants, and ends with a null cursor', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await search({ entity: 'page', limit: 3, cursor });
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items.map((i) => i.requestId!));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      expect(pages).toBe(20);
      expect(new Set(seen).size).toBe(60);
      expect(seen.at(-1)).toBe('page-1');
    });

    it('gives no next cursor when the page holds exactly the last matches', async () => {
      const all = await search({ entity: 'page', limit: 60 });
      expect(all.items).toHaveLength(60);
      expect(all.nextCursor).toBeNull();
      const oneShort = await search({ entity: 'page', limit: 59 });
      expect(oneShort.items).toHaveLength(59);
      expect(oneShort.nextCursor).not.toBeNull();
      const last = await search({ entity: 'page', limit: 59, cursor: oneShort.nextCursor! });
      expect(last).toEqual({ items: [expect.objectContaining({ requestId: 'page-1' })], nextCursor: null });
    });

    it('pages the whole ledger when no filter is given', async () => {
      const page = await search({ limit: 2 });
      expect(page.items).toHaveLength(2);
      expect(page.items[0]!.requestId).toBeOneOf(['page-57', 'page-58', 'page-59', 'page-60']);
      expect(page.nextCursor).not.toBeNull();
    });

    it('applies the filters and refuses a cursor it did not issue', async () => {
      const page = await search({ orgId: otherOrg.toUpperCase(), outcome: 'failed', limit: 2 });
      expect(page.items.map((i) => i.requestId)).toEqual(['bulk-1001', 'bulk-1000']);
      expect(page.items[0]).toMatchObject({
        org: { id: otherOrg, friendlyName: 'Fabrikam' },
        outcome: 'failed',
        reconciliation: 'unverified',
        crm: null,
      });
      expect((await search({ entity: 'nothing' })).items).toEqual([]);
      await expect(search({ cursor: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({
        status: 400,
        code: 'INVALID_CURSOR',
      });
    });
  });

  describe('exportCsv', () => {
    it('yields the header, then the matches in batches of 500 rows, newest first, and audits the export with its filters', async () => {
      const filters = audit.filters({
        orgId: otherOrg,
        entity: 'bulk',
        from: '2024-01-01',
        to: '2024-01-01',
      } as AuditQueryDto);
      const before = (await sql(`SELECT id FROM admin_audit_log WHERE action = 'audit.export'`)).length;
      const chunks = await collect(audit.exportCsv(filters, ctx));
      expect(chunks[0]).toBe(`${LEDGER_CSV_HEADER.join(',')}\r\n`);
      expect(chunks.slice(1).map((c) => c.split('\r\n').length - 1)).toEqual([500, 500, 1]);
      const lines = chunks.slice(1).join('').split('\r\n').slice(0, -1);
      expect(lines[0]!.split(',')[11]).toBe('bulk-1001');
      expect(lines.at(-1)!.split(',')[11]).toBe('bulk-1');
      const entries = await sql<{
        org_id: string;
        actor_email: string;
        request_id: string;
        diff: Record<string, unknown>;
      }>(
        `SELECT org_id, actor_email, request_id, diff FROM admin_audit_log WHERE action = 'audit.export' ORDER BY id`,
      );
      expect(entries.slice(before)).toEqual([
        {
          org_id: otherOrg,
          actor_email: 'auditor@example.test',
          request_id: 'req-export',
          diff: {
            filters: {
              orgId: otherOrg,
              entity: 'bulk',
              from: '2024-01-01T00:00:00.000Z',
              to: '2024-01-02T00:00:00.000Z',
            },
          },
        },
      ]);
      expect(await busy()).toBe(0);
    });

    it('exports the rows exactly as the search shows them, one CSV line each', async () => {
      const shown = await search({ entity: 'page', limit: 60 });
      const chunks = await collect(audit.exportCsv({ entity: 'page' }, ctx));
      expect(chunks).toHaveLength(2);
      expect(chunks[1]).toBe(shown.items.map((i) => csvLine(ledgerCsvFields(i))).join(''));
    });

    it('reads in a read-only, repeatable-read transaction', async () => {
      // The export's connection is the first one it asks the data source for.
      let runner: QueryRunner | undefined;
      const create = ds.createQueryRunner.bind(ds);
      const watch = vi
        .spyOn(ds, 'createQueryRunner')
        .mockImplementationOnce((mode) => (runner = create(mode)));
      const it = audit.exportCsv({ entity: 'page' }, ctx);
      try {
        await it.next();
        expect(await runner!.query('SHOW transaction_read_only')).toEqual([{ transaction_read_only: 'on' }]);
        expect(await runner!.query('SHOW transaction_isolation')).toEqual([
          { transaction_isolation: 'repeatable read' },
        ]);
      } finally {
        await it.return(undefined);
        watch.mockRestore();
      }
    });

    it('audits an export without an org as such', async () => {
      await collect(audit.exportCsv({ entity: 'nothing' }, ctx));
      const [last] = await sql<{ org_id: string | null; diff: unknown }>(
        `SELECT org_id, diff FROM admin_audit_log WHERE action = 'audit.export' ORDER BY id DESC LIMIT 1`,
      );
      expect(last).toEqual({ org_id: null, diff: { filters: { entity: 'nothing' } } });
    });

    it('yields only the header when nothing matches', async () => {
      expect(await collect(audit.exportCsv({ entity: 'nothing' }, ctx))).toEqual([
        `${LEDGER_CSV_HEADER.join(',')}\r\n`,
      ]);
    });

    it('reads one snapshot: a call written during the export is not in it', async () => {
      const it = audit.exportCsv({ entity: 'page' }, ctx);
      const header = await it.next();
      expect(header.done).toBe(false);
      await sql(
        `INSERT INTO crm_calls (org_id, at, operation, entity, record_id, outcome, reconciliation, request_id) VALUES ($1, '2030-01-01', 'Create', 'page', gen_random_uuid(), 'completed', 'match', 'late')`,
        [orgId],
      );
      try {
        const rest: string[] = [];
        for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value);
        expect(rest.join('')).not.toContain('late');
        expect(rest.join('').split('\r\n')).toHaveLength(61);
      } finally {
        await sql(`DELETE FROM crm_calls WHERE request_id = 'late'`);
      }
    });

    it('closes its cursor and returns the connection when the reader stops early', async () => {
      const idleBefore = (ds.driver as unknown as { master: { idleCount: number; totalCount: number } })
        .master;
      const it = audit.exportCsv({ entity: 'bulk' }, ctx);
      await it.next();
      await it.next();
      expect(await busy()).toBe(1);
      await it.return(undefined);
      expect(await busy()).toBe(0);
      expect(idleBefore.totalCount - idleBefore.idleCount).toBe(0);
    });
  });

  describe('listAdminAudit', () => {
    const list = (q: Partial<AdminAuditQueryDto>) => audit.listAdminAudit(q as AdminAuditQueryDto);
    const seeded = async () =>
      (
        await sql<{ id: string }>(
          `SELECT id FROM admin_audit_log WHERE action LIKE 'seed.%' ORDER BY id DESC`,
        )
      ).map((r) => String(r.id));

    it('maps an entry to its API shape', async () => {
      const [newest] = await seeded();
      const cursorAbove = Buffer.from(`a:${BigInt(newest!) + 1n}`).toString('base64url');
      const page = await list({ limit: 1, cursor: cursorAbove });
      expect(page.items).toEqual([
        {
          id: newest,
          at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
          actor: { id: null, email: 'admin7@example.test' },
          action: 'seed.action-7',
          target: 'target-7',
          outcome: 'success',
          ip: '192.0.2.1',
          orgId,
          diff: { name: 'k7' },
        },
      ]);
      expect(page.nextCursor).toBe(Buffer.from(`a:${newest}`).toString('base64url'));
    });

    it('pages newest first by id: no repeats, no gaps, a null cursor at the end', async () => {
      const ids = await seeded();
      const [newest] = ids;
      let cursor: string | undefined = Buffer.from(`a:${BigInt(newest!) + 1n}`).toString('base64url');
      const seen: string[] = [];
      while (cursor) {
        const page = await list({ limit: 3, cursor });
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor ?? undefined;
      }
      expect(seen.slice(0, 7)).toEqual(ids);
    });

    it('answers 50 entries by default and no cursor when all fit', async () => {
      const page = await list({});
      const total = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM admin_audit_log`))[0]!.n;
      expect(page.items).toHaveLength(Math.min(total, 50));
      expect(page.nextCursor === null).toBe(total <= 50);
      const exact = await list({ limit: total });
      expect(exact.items).toHaveLength(total);
      expect(exact.nextCursor).toBeNull();
    });

    it.each([['a:'], ['a:x1'], ['b:1'], ['a:1x'], ['xa:1'], ['a:12345678901234567890'], ['']])(
      'refuses the cursor %j with 400 INVALID_CURSOR',
      async (text) => {
        await expect(list({ cursor: Buffer.from(text).toString('base64url') || 'Zg' })).rejects.toMatchObject(
          {
            status: 400,
            code: 'INVALID_CURSOR',
            message: 'The cursor is not one this API returned. Start again without it.',
          },
        );
      },
    );

    it('accepts a 19-digit cursor', async () => {
      expect(
        (await list({ cursor: Buffer.from('a:9223372036854775807').toString('base64url'), limit: 1 })).items,
      ).toHaveLength(1);
    });
  });
});
