import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kekNeedles } from '../lib/database-target.mjs';
import { maskUrl } from '../lib/logical-dump.mjs';

describe('maskUrl: what backup and restore print of a database URL', () => {
  it('replaces the password and keeps where it points', () => {
    const shown = maskUrl('postgres://onbehalf:s3cr%40t@db.example:5432/onbehalf?sslmode=require');
    expect(shown).toBe('postgres://onbehalf:***@db.example:5432/onbehalf?sslmode=require');
    expect(shown).not.toContain('s3cr');
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
