import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { CertificatesService } from '../src/certificates/certificates.service';
import { loadConfig } from '../src/config/app-config';
import { LedgerChainService } from '../src/ledger-chain/ledger-chain.service';
import { startApi, type RunningApi } from '../src/server';
import { TicketStoreService } from '../src/tickets/ticket-store.service';
import { ConsoleClient, demoCertificateUpload, json, startTestStack, type TestStack } from './harness';

// `npm run backup` and `npm run restore` (scripts/), run as the operator runs them, against the test cluster.
const SCRIPTS = resolve(__dirname, '..', '..', '..', 'scripts');
const JON_PUID = '0003BFFD8F3A5B21';
const KEK = randomBytes(32);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runScript(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(SCRIPTS, script), ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** A new, empty database on the test cluster (template0: nothing in it). */
async function emptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const template = inject('pgUrlTemplate');
  const name = `r_${randomUUID().replace(/-/g, '')}`;
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: template.replace('{db}', 'postgres') });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  await admin(`CREATE DATABASE "${name}" TEMPLATE template0`);
  return {
    url: template.replace('{db}', name),
    drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

describe('backup and restore: a dump of a working database restores into a fresh one that the API serves', () => {
  let s: TestStack;
  let dir: string;
  let dumpFile: string;
  let target: { url: string; drop(): Promise<void> };
  let contosoId: string;
  let certId: string;
  const env = () => ({ ONBEHALF_KEK_test: KEK.toString('base64'), ONBEHALF_DATA_DIR: join(dir, 'data') });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'onbehalf-backup-'));
    dumpFile = join(dir, 'onbehalf.dump');
    s = await startTestStack({ ONBEHALF_KEK_test: KEK.toString('base64') });
    const cert = await json<{ id: string }>(
      await s.admin.post('/api/certificates', demoCertificateUpload(s.emulator)),
    );
    certId = cert.id;
    const onboarded = await json<{ org: { id: string; status: string } }>(
      await s.admin.post('/api/orgs', {
        discoveryUrl: s.emulator.discoveryUrl,
        friendlyName: 'Contoso Ltd',
        certificateId: certId,
      }),
    );
    expect(onboarded.org.status).toBe('active');
    contosoId = onboarded.org.id;
    for (let i = 0; i < 3; i++) {
      const r = await s.admin.post(`/api/orgs/${contosoId}/records/account`, {
        attributes: { name: `before the backup ${i}` },
        onBehalfOf: { puid: JON_PUID },
      });
      expect(r.status).toBe(201);
    }
    // the sealer job is off in the tests: seal the org's rows into its hash chain now, so the dump holds a chain
    expect(await s.api.app.get(LedgerChainService).sealOrg(contosoId)).toBeGreaterThanOrEqual(4);
    target = await emptyDatabase();
  }, 120_000);

  afterAll(async () => {
    await s?.close();
    await target?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes the dump, masking the database password, and the dump holds no key-encryption key', async () => {
    const url = s.config.databaseUrl;
    const run = await runScript('backup.mjs', [dumpFile, '--database-url', url], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/wrote .*onbehalf\.dump: \d+ tables, \d+ rows, \d+ migrations/);
    expect(run.stdout).toContain(
      'checked: none of the 1 key-encryption key(s) configured here is in the dump',
    );
    const password = decodeURIComponent(new URL(url).password);
    expect(password).not.toBe('');
    expect(run.stdout).not.toContain(password);
    expect(run.stdout).toContain(':***@');

    const text = gunzipSync(readFileSync(dumpFile)).toString('utf8');
    // the sealed private key is in it (hex of its "OB1" header), so the search below looks at real data
    expect(text).toContain('\\\\x4f4231');
    for (const form of [KEK.toString('base64'), KEK.toString('base64url'), KEK.toString('hex')]) {
      expect(text).not.toContain(form);
    }
  });

  it('refuses to overwrite an existing dump (OUTPUT_EXISTS) and leaves it as it was', async () => {
    const before = readFileSync(dumpFile);
    const run = await runScript('backup.mjs', [dumpFile, '--database-url', s.config.databaseUrl], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^\[backup\] error OUTPUT_EXISTS: .*onbehalf\.dump already exists/);
    expect(readFileSync(dumpFile).equals(before)).toBe(true);
    expect(() => readFileSync(`${dumpFile}.partial`)).toThrow();
  });

  it('audit:verify connects with the URL exactly as given (an IPv6 host, query parameters) and verifies', async () => {
    // the embedded test server through its IPv4-mapped IPv6 address: rebuilt from the parsed parts
    // (host ::ffff:7f00:1 unbracketed), the URL would not parse
    const base = s.config.databaseUrl.replace('@127.0.0.1:', '@[::ffff:127.0.0.1]:');
    const url = `${base}${base.includes('?') ? '&' : '?'}sslmode=disable&application_name=nightly-verify`;
    const run = await runScript('audit-verify.mjs', ['--no-build', '--database-url', url], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`org ${contosoId}: ok`);
    expect(run.stdout).toMatch(/\d+ org chains? verified/);
  });

  it('refuses a dump that would hold a configured key-encryption key, and deletes it', async () => {
    // a key stored in the database by mistake (in the admin's display name here): the backup must stop
    const planted = randomBytes(32);
    const c = new Client({ connectionString: s.config.databaseUrl });
    await c.connect();
    const { name } = (await c.query(`SELECT name FROM admin_users WHERE email = $1`, [s.adminEmail])).rows[0];
    await c.query(`UPDATE admin_users SET name = $1 WHERE email = $2`, [
      planted.toString('base64'),
      s.adminEmail,
    ]);
    const leaked = join(dir, 'leaked.dump');
    const run = await runScript('backup.mjs', [leaked, '--database-url', s.config.databaseUrl], {
      ...env(),
      ONBEHALF_KEK_old: planted.toString('base64'),
    });
    await c.query(`UPDATE admin_users SET name = $1 WHERE email = $2`, [name, s.adminEmail]);
    await c.end();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^\[backup\] error KEK_IN_DUMP: /);
    expect(() => readFileSync(leaked)).toThrow();
    expect(() => readFileSync(`${leaked}.partial`)).toThrow();
  });

  it('restores into an empty database, and refuses to restore over it again without --force', async () => {
    const run = await runScript('restore.mjs', [dumpFile, '--database-url', target.url], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/restored \d+ tables and \d+ rows/);
    expect(run.stdout).toContain('schema checked: it matches the dumped one');

    const again = await runScript('restore.mjs', [dumpFile, '--database-url', target.url], env());
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/error TARGET_NOT_EMPTY: the target database is not empty/);
  });

  it('refuses to restore while another session is connected to the target (an API), even with --force', async () => {
    const c = new Client({ connectionString: target.url, application_name: 'live-api' });
    await c.connect();
    const before = (await c.query(`SELECT count(*)::int AS n FROM crm_calls`)).rows[0].n;
    const marker = await c.query(`SELECT pg_backend_pid() AS pid`);
    const run = await runScript('restore.mjs', [dumpFile, '--database-url', target.url, '--force'], env());
    const after = (await c.query(`SELECT count(*)::int AS n FROM crm_calls`)).rows[0].n;
    await c.end();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^\[restore\] error TARGET_IN_USE: 1 other session\(s\) are connected/);
    expect(run.stderr).toContain(`pid ${marker.rows[0].pid} live-api`);
    expect(run.stderr).toContain('--force-live');
    expect(run.stdout).not.toContain('dropped');
    expect(after).toBe(before);
  });

  it('refuses to restore while an API holds the migration lock (starting or migrating), even with --force-live', async () => {
    const c = new Client({ connectionString: target.url, application_name: 'starting-api' });
    await c.connect();
    let before: number;
    let after: number;
    let run: Awaited<ReturnType<typeof runScript>>;
    try {
      await c.query(`SELECT pg_advisory_lock(hashtext('onbehalf:migrations'))`);
      before = (await c.query(`SELECT count(*)::int AS n FROM crm_calls`)).rows[0].n;
      run = await runScript(
        'restore.mjs',
        [dumpFile, '--database-url', target.url, '--force', '--force-live'],
        env(),
      );
      after = (await c.query(`SELECT count(*)::int AS n FROM crm_calls`)).rows[0].n;
    } finally {
      await c.end(); // the lock goes with the session, whatever happened
    }
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^\[restore\] error TARGET_IN_USE: an API is starting or migrating/);
    expect(run.stdout).not.toContain('dropped');
    expect(after).toBe(before);
  });

  it('a restore of a cut-off dump fails and leaves the database as it was (--force-live: under a live session)', async () => {
    const whole = gunzipSync(readFileSync(dumpFile)).toString('utf8').split('\n');
    const cut = join(dir, 'cut.dump');
    writeFileSync(cut, gzipSync(whole.slice(0, 4).join('\n')));
    const c = new Client({ connectionString: target.url });
    await c.connect();
    const before = (await c.query(`SELECT count(*)::int AS n FROM crm_calls`)).rows[0].n;
    const run = await runScript(
      'restore.mjs',
      [cut, '--database-url', target.url, '--force', '--force-live'],
      env(),
    );
    const after = (await c.query(`SELECT count(*)::int AS n FROM crm_calls`)).rows[0].n;
    await c.end();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error DUMP_TRUNCATED: /);
    expect(run.stdout).toContain('--force-live: restoring while 1 other session(s) are connected');
    expect(before).toBeGreaterThan(0);
    expect(after).toBe(before);
  });

  describe('the API on the restored database', () => {
    let restored: RunningApi;
    const start = (kek: Buffer) =>
      startApi(
        loadConfig({
          DATABASE_URL: target.url,
          ONBEHALF_API_PORT: '0',
          ONBEHALF_KEK_test: kek.toString('base64'),
          ONBEHALF_ADMIN_EMAIL: s.adminEmail,
          ONBEHALF_LOG_LEVEL: 'error',
          ONBEHALF_JOBS: 'off',
          ONBEHALF_STS_URL: s.emulator.stsUrl,
          ONBEHALF_TRUSTED_CA_FILES: s.emulator.caCertPath,
          ONBEHALF_SUPPORTED_ROOT_FILES: s.emulator.caCertPath,
          ONBEHALF_RPS_LOGIN_URL: s.emulator.rpsLoginUrl,
          ONBEHALF_RPS_SIGNING_CERT_FILE: s.emulator.demo.rpsSigningCertPath,
        }),
        { logger: false },
      );

    beforeAll(async () => {
      restored = await start(KEK);
    }, 60_000);
    afterAll(async () => {
      await restored?.close();
    });

    it('finds every migration applied (the migrations table came with the dump)', async () => {
      const names = (ds: RunningApi['dataSource']) =>
        ds
          .query(`SELECT name FROM migrations ORDER BY id`)
          .then((r: { name: string }[]) => r.map((x) => x.name));
      expect(await names(restored.dataSource)).toEqual(await names(s.api.dataSource));
      expect(await restored.dataSource.showMigrations()).toBe(false);
    });

    it('holds every ledger row as it was', async () => {
      const rows = (ds: RunningApi['dataSource']) =>
        ds
          .query(`SELECT to_jsonb(c) AS row FROM crm_calls c ORDER BY id`)
          .then((r: { row: unknown }[]) => r.map((x) => x.row));
      const source = await rows(s.api.dataSource);
      expect(source.length).toBeGreaterThanOrEqual(4); // the onboarding's test write and three calls
      expect(await rows(restored.dataSource)).toEqual(source);
    });

    it("verifies the org's ledger hash chain as the source does", async () => {
      const source = await s.api.app.get(LedgerChainService).verify(contosoId);
      const chain = restored.app.get(LedgerChainService);
      const after = await chain.verify(contosoId);
      expect(after.break).toBeNull();
      expect(after.rows).toBeGreaterThanOrEqual(4);
      expect(after).toEqual(source);
    });

    it('opens the sealed tickets and private key with the same KEK', async () => {
      const tickets = await restored.app.get(TicketStoreService).load(contosoId);
      expect(tickets?.crmTicket).toBeTruthy();
      expect(tickets).toEqual(await s.api.app.get(TicketStoreService).load(contosoId));
      const bundle = await restored.app.get(CertificatesService).loadBundle(certId);
      const original = await s.api.app.get(CertificatesService).loadBundle(certId);
      expect(bundle.privateKeyPem).toBe(original.privateKeyPem);
    });

    it('serves an impersonated call with the restored admin, certificate and tickets', async () => {
      const admin = new ConsoleClient(restored.url);
      expect((await admin.login(s.adminEmail, s.adminPassword)).status).toBe(200);
      const before = await restored.dataSource.query(`SELECT count(*)::int AS n FROM crm_calls`);
      const r = await admin.post(`/api/orgs/${contosoId}/records/account`, {
        attributes: { name: 'after the restore' },
        onBehalfOf: { puid: JON_PUID },
      });
      expect(r.status).toBe(201);
      const after = await restored.dataSource.query(`SELECT count(*)::int AS n FROM crm_calls`);
      expect(after[0].n).toBe(before[0].n + 1);
      // the restored chain head takes the new row: the chain goes on from where the dump left it
      const chain = restored.app.get(LedgerChainService);
      const sealedBefore = (await chain.verify(contosoId)).rows;
      expect(await chain.sealOrg(contosoId)).toBe(1);
      expect(await chain.verify(contosoId)).toMatchObject({ break: null, rows: sealedBefore + 1 });
    });

    it('with another KEK, the sealed secrets do not open: a clear error, not garbage', async () => {
      await restored.close();
      restored = await start(randomBytes(32));
      await expect(restored.app.get(TicketStoreService).load(contosoId)).rejects.toThrow(
        /unable to authenticate data/,
      );
      await expect(restored.app.get(CertificatesService).loadBundle(certId)).rejects.toMatchObject({
        code: 'SECRET_UNREADABLE',
        message: expect.stringMatching(/cannot be decrypted/),
      });
    });
  });
});
