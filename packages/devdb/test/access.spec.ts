import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canReach, firstBlocker, permits } from '../src/access';

// Pure permission arithmetic on stat(): the same answers whether the tests run as root or not.
const me = { uid: process.getuid!(), gid: process.getgid!() };
const stranger = { uid: 4_000_001, gid: 4_000_001 };
const sameGroup = { uid: 4_000_002, gid: me.gid };

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'devdb-access-'));
  chmodSync(base, 0o755);
});
afterEach(() => {
  chmodSync(base, 0o755);
  rmSync(base, { recursive: true, force: true });
});

describe('firstBlocker / canReach', () => {
  it('names the private directory above a path as what stops another user reaching it', () => {
    const priv = join(base, 'clone');
    mkdirSync(join(priv, 'node_modules', 'bin'), { recursive: true });
    chmodSync(priv, 0o700);
    const file = join(priv, 'node_modules', 'bin');
    expect(canReach(base, stranger)).toBe(true);
    expect(firstBlocker(file, stranger, 'rx')).toBe(priv);
    expect(canReach(file, me, 'rx')).toBe(true);
  });

  it('lets a user through a directory that is searchable by others (0711) but not readable', () => {
    const dir = join(base, 'd');
    mkdirSync(dir);
    writeFileSync(join(dir, 'f'), 'x', { mode: 0o644 });
    chmodSync(dir, 0o711);
    expect(canReach(join(dir, 'f'), stranger, 'r')).toBe(true);
    expect(firstBlocker(dir, stranger, 'r')).toBe(dir);
  });

  it('uses the group bits for a user whose primary group owns the directory', () => {
    const dir = join(base, 'g');
    mkdirSync(dir);
    chmodSync(dir, 0o750);
    expect(canReach(dir, sameGroup, 'rx')).toBe(true);
    expect(canReach(dir, stranger, 'x')).toBe(false);
  });

  it("applies the owner's bits to the owner even when others get more", () => {
    const dir = join(base, 'o');
    mkdirSync(dir);
    chmodSync(dir, 0o077);
    expect(canReach(dir, me, 'x')).toBe(me.uid === 0);
    expect(canReach(dir, stranger, 'x')).toBe(true);
  });

  it('checks the directories a symbolic link leads through, not only where the link sits', () => {
    const priv = join(base, 'private');
    mkdirSync(join(priv, 'pkg'), { recursive: true });
    chmodSync(priv, 0o700);
    const link = join(base, 'link');
    symlinkSync(join(priv, 'pkg'), link);
    expect(firstBlocker(link, stranger)).toBe(priv);
  });

  it('reports a missing path at its first missing part', () => {
    expect(firstBlocker(join(base, 'a', 'b'), stranger)).toBe(join(base, 'a'));
  });

  it('grants root everything, as the kernel does for search and read', () => {
    const dir = join(base, 'r');
    mkdirSync(dir);
    chmodSync(dir, 0o000);
    expect(canReach(dir, { uid: 0, gid: 0 }, 'rwx')).toBe(true);
    expect(permits({ mode: 0o040000, uid: 5, gid: 5 }, { uid: 0, gid: 0 }, 'x')).toBe(true);
  });
});
