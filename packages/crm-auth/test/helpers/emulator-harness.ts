import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator, type RunningEmulator } from '@onbehalf/emulator';
import { CertificateBundle } from '../../src/certificates/certificate-bundle';

/** The real emulator over HTTPS on a random loopback port, in a throwaway data directory. */
export interface EmulatorHarness {
  emulator: RunningEmulator;
  /** The demo service account's certificate, loaded from the emulator's PFX. */
  demoBundle: CertificateBundle;
  close(): Promise<void>;
}

export async function startTestEmulator(
  options: { crmTicketLifetimeSec?: number } = {},
): Promise<EmulatorHarness> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'crm-auth-int-'));
  const emulator = await startEmulator({ port: 0, dataDir, ...options });
  const pfx = await readFile(emulator.demo.pfxPath);
  const demoBundle = CertificateBundle.fromPkcs12(pfx, emulator.demo.pfxPassword);
  return {
    emulator,
    demoBundle,
    close: async () => {
      await emulator.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Sum of an endpoint's call counts. */
export function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
