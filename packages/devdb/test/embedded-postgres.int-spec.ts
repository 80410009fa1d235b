import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { DevDbError, sharedDir, startEmbeddedPostgres } from '../src/index';

const isRoot = process.getuid?.() === 0;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'devdb-int-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const serverRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('startEmbeddedPostgres', () => {
  it('starts a throwaway cluster that answers queries, and stop ends the server and deletes the data', async () => {
    const dataDir = join(tempDir(), 'data');
    const pg = await startEmbeddedPostgres({ dataDir, persistent: false });
    try {
      await pg.createDatabase('probe');
      const c = new Client({ connectionString: pg.url('probe') });
      await c.connect();
      const r = await c.query<{ one: number }>('SELECT 1 AS one');
      await c.end();
      expect(r.rows[0]?.one).toBe(1);
    } finally {
      await pg.stop();
    }
    expect(serverRunning(pg.pid)).toBe(false);
    expect(existsSync(pg.dataDir)).toBe(false);
  });

  it('loginRole makes a role without superuser, CREATEDB, CREATEROLE or BYPASSRLS, whose old password stops working at the next call', async () => {
    const pg = await startEmbeddedPostgres({ dataDir: join(tempDir(), 'data'), persistent: false });
    try {
      await pg.createDatabase('probe');
      const first = await pg.loginRole('app_role', 'probe');
      const second = await pg.loginRole('app_role', 'probe');
      expect(new URL(second).username).toBe('app_role');
      expect(new URL(second).pathname).toBe('/probe');
      const c = new Client({ connectionString: second });
      await c.connect();
      const r = await c.query(
        'SELECT current_user AS u, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = current_user',
      );
      await c.end();
      expect(r.rows[0]).toEqual({
        u: 'app_role',
        rolsuper: false,
        rolcreatedb: false,
        rolcreaterole: false,
        rolbypassrls: false,
      });
      const stale = new Client({ connectionString: first });
      stale.on('error', () => undefined);
      await expect(stale.connect()).rejects.toThrow(/password authentication failed/);
    } finally {
      await pg.stop();
    }
  });

  it('fails with a one-line DevDbError without stack frames when the data directory holds something else', async () => {
    const base = tempDir();
    chmodSync(base, 0o755); // reachable by user postgres, so the cluster is not moved elsewhere
    const dataDir = join(base, 'data');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'notes.txt'), 'not a cluster');
    const err = await startEmbeddedPostgres({ dataDir, persistent: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DevDbError);
    const e = err as DevDbError;
    expect(e.message).toMatch(
      /^embedded Postgres: .*holds files but no Postgres cluster; remove it or choose another/,
    );
    expect(e.message).not.toContain('\n');
    expect(e.stack).not.toMatch(/\n\s+at /);
  });

  it.skipIf(!isRoot)(
    'as root, a cluster under a directory user postgres cannot enter runs from the shared directory, and is removed on stop',
    async () => {
      const priv = tempDir();
      chmodSync(priv, 0o700);
      const clone = join(priv, 'clone');
      mkdirSync(clone, { mode: 0o755 });
      const pg = await startEmbeddedPostgres({ dataDir: join(clone, 'data'), persistent: false });
      try {
        expect(pg.relocated).toEqual({ from: join(clone, 'data'), blockedBy: priv });
        expect(pg.dataDir.startsWith(`${sharedDir()}/`)).toBe(true);
        // the server runs as user postgres
        const owner = execFileSync('ps', ['-o', 'user=', '-p', String(pg.pid)], { encoding: 'utf8' }).trim();
        expect(owner).toBe('postgres');
      } finally {
        await pg.stop();
      }
      expect(existsSync(pg.dataDir)).toBe(false);
    },
  );

  it.skipIf(!isRoot)(
    'as root, a kept cluster in the shared directory survives a restart, and deleting the requested directory resets it',
    async () => {
      const priv = tempDir();
      chmodSync(priv, 0o700);
      const dataDir = join(priv, 'clone', '.data', 'pg');
      const databases = async (pg: Awaited<ReturnType<typeof startEmbeddedPostgres>>) => {
        const c = new Client({ connectionString: pg.url() });
        await c.connect();
        const r = await c.query<{ datname: string }>('SELECT datname FROM pg_database');
        await c.end();
        return r.rows.map((row) => row.datname);
      };
      let pg = await startEmbeddedPostgres({ dataDir, persistent: true });
      const kept = pg.dataDir;
      try {
        expect(kept.startsWith(`${sharedDir()}/data/`)).toBe(true);
        await pg.createDatabase('keepme');
        await pg.stop();
        pg = await startEmbeddedPostgres({ dataDir, persistent: true });
        expect(pg.dataDir).toBe(kept);
        expect(await databases(pg)).toContain('keepme');
        await pg.stop();
        rmSync(join(priv, 'clone', '.data'), { recursive: true });
        pg = await startEmbeddedPostgres({ dataDir, persistent: true });
        expect(pg.dataDir).toBe(kept);
        expect(await databases(pg)).not.toContain('keepme');
      } finally {
        await pg.stop();
        rmSync(join(kept, '..'), { recursive: true, force: true });
      }
    },
  );
});
