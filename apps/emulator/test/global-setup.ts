import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { PkiStore } from '../src/pki/pki.store';

/**
 * Generates the emulator PKI once per test run; each test file copies it into its own data dir, so
 * that files start in milliseconds instead of generating five RSA keys each.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'emulator-pki-template-'));
  await PkiStore.open(dir, ['localhost']);
  project.provide('pkiTemplateDir', dir);
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pkiTemplateDir: string;
  }
}
