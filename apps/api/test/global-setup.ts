import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type RunningPostgres } from '@onbehalf/devdb';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { createDataSource } from '../src/database/data-source';
import { migrate } from '../src/server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection URL of the throwaway cluster with `{db}` where the database name goes. */
    pgUrlTemplate: string;
  }
}

let pg: RunningPostgres | null = null;
let dir: string | null = null;

/**
 * One throwaway cluster per run (or TEST_DATABASE_URL's server). The schema is migrated once
 * into `template_test`; each test file clones it, so files never see each other's rows.
 */
export async function setup(project: TestProject): Promise<void> {
  let base: string;
  const external = process.env.TEST_DATABASE_URL;
  let createDb: (name: string, template?: string) => Promise<void>;
  if (external) {
    base = external;
    const { Client } = await import('pg');
    createDb = async (name, template) => {
      const c = new Client({ connectionString: external });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
      await c.end();
    };
  } else {
    dir = mkdtempSync(join(tmpdir(), 'onbehalf-pg-'));
    pg = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), persistent: false });
    base = pg.url('postgres');
    createDb = (name, template) => pg!.createDatabase(name, template);
  }
  await createDb('template_test');
  const url = new URL(base);
  url.pathname = '/template_test';
  const ds = createDataSource(url.toString(), []);
  await ds.initialize();
  await migrate(ds);
  await ds.destroy();
  url.pathname = '/{db}';
  project.provide('pgUrlTemplate', url.toString().replace('%7Bdb%7D', '{db}'));
}

export async function teardown(): Promise<void> {
  await pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
