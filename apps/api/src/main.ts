import cluster from 'node:cluster';
import { type AppConfig, ConfigError, loadConfig } from './config/app-config';
import { superviseWorkers } from './workers';
import { startApi } from './server';

/**
 * `node apps/api/dist/main.js`: the API on its own (docker-compose, production). With ONBEHALF_API_WORKERS above 1
 * this process only supervises that many API processes, which share its port (node:cluster, see workers.ts).
 */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`onbehalf-api: bad configuration: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  if (config.apiWorkers > 1 && cluster.isPrimary) {
    await superviseWorkers(config.apiWorkers, config);
    return;
  }
  await serve(config);
}

async function serve(config: AppConfig): Promise<void> {
  const api = await startApi(config);
  console.log(`onbehalf-api: listening on ${api.url} (API under /api, OpenAPI at /api/docs)`);
  if (api.firstAdmin.created) {
    console.log(
      `onbehalf-api: first admin ${api.firstAdmin.email}` +
        (api.firstAdmin.generatedPassword
          ? ` with generated password ${api.firstAdmin.generatedPassword} (shown once)`
          : ''),
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`onbehalf-api: ${signal}, shutting down`);
    api.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`onbehalf-api: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
