import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningEmulator, startEmulator } from '@onbehalf/emulator';
import { Client } from 'pg';
import { ConsoleClient, freshDatabase } from '../harness';
import { startChildApi, type ChildApi } from './child-api';

/**
 * The API as production runs it (node dist/main.js) over an emulator and a database of its own, which a
 * test can SIGKILL (`api.kill()`) and start again on the same database with `boot()`, as after a crash.
 */
export interface RestartableApi {
  emulator: RunningEmulator;
  /** The test's own connection to the API's database. */
  pg: Client;
  /** The API process running now (the last one `boot()` started). */
  readonly api: ChildApi | undefined;
  /** Starts the API (again) on the same database and KEK; resolves with a console client signed in as its admin. */
  boot(): Promise<ConsoleClient>;
  /** Kills the API if it still runs, and removes the emulator, the database and the temporary files. */
  close(): Promise<void>;
}

/** `tag` names the temporary folder and the KEK; `env` is added to every boot's environment. */
export async function startRestartableApi(
  tag: string,
  env: Record<string, string> = {},
): Promise<RestartableApi> {
  const dir = mkdtempSync(join(tmpdir(), `onbehalf-${tag}-`));
  const emulator = await startEmulator({ port: 0, dataDir: join(dir, 'emulator') });
  const db = await freshDatabase();
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const adminEmail = 'admin@example.test';
  const adminPassword = `pw-${randomBytes(8).toString('hex')}`;
  const kek = randomBytes(32).toString('base64');
  let api: ChildApi | undefined;
  return {
    emulator,
    pg,
    get api() {
      return api;
    },
    async boot() {
      api = await startChildApi({
        DATABASE_URL: db.url,
        [`ONBEHALF_KEK_${tag}`]: kek,
        ONBEHALF_ADMIN_EMAIL: adminEmail,
        ONBEHALF_ADMIN_PASSWORD: adminPassword,
        ONBEHALF_LOG_LEVEL: 'warn',
        ONBEHALF_STS_URL: emulator.stsUrl,
        ONBEHALF_TRUSTED_CA_FILES: emulator.caCertPath,
        ONBEHALF_SUPPORTED_ROOT_FILES: emulator.caCertPath,
        ...env,
      });
      const client = new ConsoleClient(api.url);
      const login = await client.login(adminEmail, adminPassword);
      if (login.status !== 200) throw new Error(`the admin could not sign in (${login.status})`);
      return client;
    },
    async close() {
      await api?.kill().catch(() => undefined);
      await pg.end().catch(() => undefined);
      await emulator.close();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
