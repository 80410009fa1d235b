// `node scripts/pnpm.mjs ARGS…`: pnpm at the pinned version, installed on first use.
import { spawnSync } from 'node:child_process';
import { ensurePnpm, root } from './lib/pnpm.mjs';

const r = spawnSync(ensurePnpm(), process.argv.slice(2), { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
