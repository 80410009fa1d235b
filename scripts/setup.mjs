// `npm run setup`: what `npm start` and `npm test` do first, on its own: installs the pinned pnpm
// (under .tools/) and the dependencies, builds every package, then checks that the embedded
// Postgres can run here (as root: that user postgres exists and can reach its binaries).
// `--rebuild` builds even when nothing changed.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { installAndBuild } from './lib/build.mjs';
import { root } from './lib/pnpm.mjs';

const say = (msg) => console.log(`[setup] ${msg.replace(/^\[setup\] /, '')}`);
const t0 = Date.now();
try {
  const done = installAndBuild({ force: process.argv.includes('--rebuild'), log: say });
  if (!done.installed) say('dependencies are up to date');
  if (!done.built) say('the build is up to date');
  say('checking the embedded Postgres');
  const { checkEmbeddedPostgres } = createRequire(join(root, 'apps', 'api', 'package.json'))(
    '@onbehalf/devdb',
  );
  try {
    const pg = checkEmbeddedPostgres();
    say(`${pg.version}${pg.runAs ? `, run as user postgres from ${pg.dir}` : ''}`);
  } catch (err) {
    if (!process.env.DATABASE_URL) throw err;
    say(`${err.message} (not needed: DATABASE_URL is set)`);
  }
} catch (err) {
  console.error(`[setup] ${err.message}`);
  process.exit(1);
}
say(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: npm start, npm test`);
