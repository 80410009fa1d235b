// `npm run emulator`: the CRM Online emulator on its own (installs and builds when needed).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { installAndBuild } from './lib/build.mjs';
import { root } from './lib/pnpm.mjs';

installAndBuild({ log: (m) => console.log(m) });
const child = spawn(
  process.execPath,
  [join(root, 'apps', 'emulator', 'dist', 'main.js'), ...process.argv.slice(2)],
  { stdio: 'inherit', cwd: root },
);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 1));
