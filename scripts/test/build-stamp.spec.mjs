import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildStampFile, installAndBuild, OUTPUTS } from '../lib/build.mjs';

let dir;
let calls;
const run = (args) => calls.push(args[0] === 'install' ? 'install' : 'build');
const quiet = () => undefined;

beforeEach(() => {
  // a checkout as installAndBuild sees it: lockfile, installed node_modules, one source, the outputs
  dir = mkdtempSync(join(tmpdir(), 'build-stamp-'));
  calls = [];
  writeFileSync(join(dir, 'pnpm-lock.yaml'), 'lockfileVersion: 9\n');
  mkdirSync(join(dir, 'node_modules'));
  writeFileSync(join(dir, 'node_modules', '.modules.yaml'), '');
  mkdirSync(join(dir, 'packages', 'devdb', 'src'), { recursive: true });
  writeFileSync(join(dir, 'packages', 'devdb', 'src', 'index.ts'), 'export {};\n');
  for (const o of OUTPUTS) {
    mkdirSync(join(dir, o, '..'), { recursive: true });
    writeFileSync(join(dir, o), '');
  }
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the build stamp', () => {
  it('lives with the build output under node_modules/, not in .data/', () => {
    expect(relative(dir, buildStampFile(dir))).toBe(
      join('node_modules', '.cache', 'onbehalf-build-stamp.json'),
    );
  });

  it('survives deleting .data/: the next start neither installs nor builds again', () => {
    expect(installAndBuild({ dir, run, log: quiet })).toEqual({ installed: true, built: true });
    mkdirSync(join(dir, '.data', 'pg'), { recursive: true });
    rmSync(join(dir, '.data'), { recursive: true });
    calls = [];
    expect(installAndBuild({ dir, run, log: quiet })).toEqual({ installed: false, built: false });
    expect(calls).toEqual([]);
  });

  it('builds again after a source changes, and installs again after the lockfile changes', () => {
    installAndBuild({ dir, run, log: quiet });
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(dir, 'packages', 'devdb', 'src', 'index.ts'), later, later);
    calls = [];
    installAndBuild({ dir, run, log: quiet });
    expect(calls).toEqual(['build']);
    const evenLater = new Date(Date.now() + 10_000);
    utimesSync(join(dir, 'pnpm-lock.yaml'), evenLater, evenLater);
    calls = [];
    installAndBuild({ dir, run, log: quiet });
    expect(calls).toEqual(['install', 'build']);
  });

  it('is not marked current by a start that skipped the build (--no-build)', () => {
    installAndBuild({ dir, run, log: quiet });
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(dir, 'packages', 'devdb', 'src', 'index.ts'), later, later);
    installAndBuild({ dir, run, build: false, log: quiet });
    calls = [];
    installAndBuild({ dir, run, log: quiet });
    expect(calls).toEqual(['build']);
  });
});
