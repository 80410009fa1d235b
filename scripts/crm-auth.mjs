// `npm run crm-auth -- <command> …`: the protocol CLI (decode, whoami), built on first use.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { installAndBuild } from './lib/build.mjs';
import { root } from './lib/pnpm.mjs';

const entry = join(root, 'packages', 'crm-auth', 'dist', 'cli', 'main.js');
if (!existsSync(entry)) installAndBuild({ log: (m) => console.error(m) });
const r = spawnSync(process.execPath, [entry, ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: process.env.INIT_CWD ?? process.cwd(),
});
process.exit(r.status ?? 1);
