import path from 'node:path';
import { EmulatorConfigError, loadEmulatorConfig } from './config/emulator.config';
import { startEmulator } from './start-emulator';

/** CLI entry: `node apps/emulator/dist/main.js`, configured by EMULATOR_* variables. */
async function main(): Promise<void> {
  const repoRoot = path.resolve(__dirname, '..', '..', '..');
  let config;
  try {
    config = loadEmulatorConfig(process.env, repoRoot);
  } catch (error) {
    if (error instanceof EmulatorConfigError) {
      process.stderr.write(`emulator: invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  let emulator;
  try {
    emulator = await startEmulator({ ...config, log: (line) => process.stdout.write(`${line}\n`) });
  } catch (error) {
    process.stderr.write(`emulator: could not start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const lines = [
    `CRM 4.0 Online emulator running at ${emulator.url}`,
    `  STS (Windows Live)      ${emulator.stsUrl}`,
    `  Discovery service       ${emulator.discoveryUrl}`,
    `  CrmService (per org)    ${emulator.url}/<org>/MSCrmServices/2007/CrmService.asmx`,
    `  RPS sign-in             ${emulator.rpsLoginUrl}`,
    `  Control API (loopback)  ${emulator.url}/_control/state`,
    `Demo service account ${emulator.demo.serviceAccountLiveId}:`,
    `  certificate   ${emulator.demo.certPath}`,
    `  private key   ${emulator.demo.keyPath}`,
    `  chain         ${emulator.demo.chainPath}`,
    `  PKCS#12       ${emulator.demo.pfxPath} (password: ${emulator.demo.pfxPassword})`,
    `  emulator CA   ${emulator.demo.caCertPath}`,
    `  RPS signing   ${emulator.demo.rpsSigningCertPath}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`emulator: ${signal} received, shutting down\n`);
    emulator
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        process.stderr.write(`emulator: shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
