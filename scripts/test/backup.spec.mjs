import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configuredKeks, externalDatabase, kekNeedles } from '../lib/database-target.mjs';
import { maskUrl, publishDump } from '../lib/logical-dump.mjs';

const SCRIPTS = resolve(import.meta.dirname, '..');
/** Nothing listens on port 1: a connection there is refused at once. */
const REFUSED_URL = 'postgres://onbehalf:pw@127.0.0.1:1/onbehalf';

/** Runs one of the commands as npm runs it (INIT_CWD: where npm was run), with no database configured. */
function run(script, args, cwd) {
  const r = spawnSync(process.execPath, [join(SCRIPTS, script), ...args], {
    env: { PATH: process.env.PATH ?? '', INIT_CWD: cwd, ONBEHALF_DATA_DIR: join(cwd, 'data') },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('maskUrl: what backup and restore print of a database URL', () => {
  it('replaces the password and keeps where it points', () => {
    const shown = maskUrl('postgres://onbehalf:s3cr%40t@db.example:5432/onbehalf?sslmode=require');
    expect(shown).toBe('postgres://onbehalf:***@db.example:5432/onbehalf?sslmode=require');
    expect(shown).not.toContain('s3cr');
  });

  it('masks the password of a libpq-style URL that is no WHATWG URL (empty host, socket in a parameter)', () => {
    expect(maskUrl('postgres://onbehalf:s3cret@/onbehalf?host=/var/run/postgresql')).toBe(
      'postgres://onbehalf:***@/onbehalf?host=/var/run/postgresql',
    );
  });

  it('leaves a URL without a password as it is', () => {
    expect(maskUrl('postgres://onbehalf@127.0.0.1:5432/onbehalf')).toBe(
      'postgres://onbehalf@127.0.0.1:5432/onbehalf',
    );
  });

  it('never echoes what it cannot parse (it may be a password pasted in the wrong place)', () => {
    expect(maskUrl('not a url with hunter2')).toBe('(unparseable URL)');
  });
});

describe('kekNeedles: the key-encryption keys a dump must not hold', () => {
  let dir;
  const key = Buffer.alloc(32, 0xfb); // base64 and base64url differ for these bytes
  const fileKey = Buffer.alloc(32, 7);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kek-needles-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes every ONBEHALF_KEK_<id>, in base64, base64url and hex', () => {
    const r = kekNeedles({ ONBEHALF_DATA_DIR: dir, ONBEHALF_KEK_a: key.toString('base64') });
    expect(r.keys).toBe(1);
    expect(r.needles).toEqual(
      expect.arrayContaining([key.toString('base64'), key.toString('base64url'), key.toString('hex')]),
    );
  });

  it('ignores ONBEHALF_KEK_ACTIVE and reads ONBEHALF_KEK_FILE and the data directory kek file', () => {
    const file = join(dir, 'other-kek');
    writeFileSync(file, `${fileKey.toString('base64')}\n`);
    writeFileSync(join(dir, 'kek'), key.toString('base64'));
    const r = kekNeedles({ ONBEHALF_DATA_DIR: dir, ONBEHALF_KEK_ACTIVE: 'a', ONBEHALF_KEK_FILE: file });
    expect(r.keys).toBe(2);
    expect(r.needles).toContain(fileKey.toString('hex'));
    expect(r.needles).toContain(key.toString('hex'));
    expect(r.needles).not.toContain('a');
  });

  it('has nothing to look for when no key is configured', () => {
    expect(kekNeedles({ ONBEHALF_DATA_DIR: dir })).toEqual({ keys: 0, needles: [] });
  });
});

describe('configuredKeks: which keys backup checks for and restore reminds about', () => {
  let dir;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kek-configured-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('counts the data directory kek file only when asked to (restore into an external database does not)', () => {
    writeFileSync(join(dir, 'kek'), Buffer.alloc(32, 1).toString('base64'));
    expect(configuredKeks({ ONBEHALF_DATA_DIR: dir })).toHaveLength(1);
    expect(configuredKeks({ ONBEHALF_DATA_DIR: dir }, { dataDirKek: false })).toEqual([]);
  });

  it('ignores an empty ONBEHALF_KEK_<id> and an ONBEHALF_KEK_FILE that does not exist', () => {
    expect(
      configuredKeks({ ONBEHALF_DATA_DIR: dir, ONBEHALF_KEK_a: '', ONBEHALF_KEK_FILE: join(dir, 'none') }),
    ).toEqual([]);
  });
});

describe("externalDatabase: the operator's database URL is used exactly as given", () => {
  it.each([
    'postgres://onbehalf:pw@db.example:5432/onbehalf?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem',
    'postgres://onbehalf:p%40ss@[2001:db8::5]:5433/onbehalf?application_name=nightly-verify',
    'postgresql://onbehalf:pw@%2Fvar%2Frun%2Fpostgresql/onbehalf',
    'postgres://onbehalf@/onbehalf?host=/var/run/postgresql&port=5433',
  ])('keeps %s, query parameters and host form included', (url) => {
    expect(externalDatabase(url).url).toBe(url);
  });

  it('shows it with the password masked', () => {
    expect(externalDatabase('postgres://onbehalf:s3cret@[::1]:5432/onbehalf?sslmode=require').what).toBe(
      'postgres://onbehalf:***@[::1]:5432/onbehalf?sslmode=require',
    );
  });

  it('refuses what is not a postgres:// URL as a bad argument', () => {
    expect(() => externalDatabase('mysql://root@db/onbehalf')).toThrow(
      expect.objectContaining({ code: 'BAD_ARGUMENTS' }),
    );
    expect(() => externalDatabase('onbehalf')).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENTS' }));
  });
});

describe('a dump never overwrites a file', () => {
  let dir;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'backup-exists-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('npm run backup to an existing file is refused with OUTPUT_EXISTS before any database is touched', () => {
    const file = join(dir, 'monday.dump');
    writeFileSync(file, 'the only copy of monday');
    const r = run('backup.mjs', ['monday.dump', '--database-url', REFUSED_URL], dir);
    expect(r.stderr).toMatch(/^\[backup\] error OUTPUT_EXISTS: .*monday\.dump already exists/);
    expect(r.stderr).not.toMatch(/CONNECT_FAILED/);
    expect(r.code).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe('the only copy of monday');
    expect(existsSync(`${file}.partial`)).toBe(false);
  });

  it('publishDump gives the finished dump its name', () => {
    const path = join(dir, 'new.dump');
    writeFileSync(`${path}.partial`, 'dump');
    publishDump(`${path}.partial`, path);
    expect(readFileSync(path, 'utf8')).toBe('dump');
    expect(existsSync(`${path}.partial`)).toBe(false);
  });

  it('publishDump keeps a finished dump whose name was taken while it ran under a name of its own: that file unchanged, OUTPUT_EXISTS names where the dump is', () => {
    const path = join(dir, 'taken.dump');
    writeFileSync(`${path}.partial`, 'the new dump');
    writeFileSync(path, 'written by someone else meanwhile');
    let err;
    try {
      publishDump(`${path}.partial`, path);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(readFileSync(path, 'utf8')).toBe('written by someone else meanwhile');
    expect(existsSync(`${path}.partial`)).toBe(false);
    const kept = readdirSync(dir).filter((f) => f.startsWith('taken.dump.') && f !== 'taken.dump.partial');
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, kept[0]), 'utf8')).toBe('the new dump');
    expect(err.message).toBe(
      `${path} was created by something else while the dump ran, and was left as it is; the finished dump is ${join(dir, kept[0])}`,
    );
  });
});

describe('npm run audit:verify exit codes: 1 is a broken chain, nothing else', () => {
  let dir;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-verify-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('an unknown option exits 2 with BAD_ARGUMENTS and the usage, no stack trace', () => {
    const r = run('audit-verify.mjs', ['--bogus'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^\[audit:verify\] error BAD_ARGUMENTS: .*'--bogus'/);
    expect(r.stderr).toContain('usage: npm run audit:verify');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('a database it cannot connect to exits 3 with CONNECT_FAILED (not 1, which means tampering)', () => {
    const r = run('audit-verify.mjs', ['--database-url', REFUSED_URL], dir);
    expect(r.stderr).toMatch(
      /^\[audit:verify\] error CONNECT_FAILED: cannot connect to postgres:\/\/onbehalf:\*\*\*@127\.0\.0\.1:1\//,
    );
    expect(r.code).toBe(3);
  });

  it('no database at all exits 3 with NO_DATABASE', () => {
    const r = run('audit-verify.mjs', [], dir);
    expect(r.stderr).toMatch(/^\[audit:verify\] error NO_DATABASE: .*nothing to verify/);
    expect(r.code).toBe(3);
  });
});
