// Time to "Onbehalf is running" for `node scripts/start.mjs --no-install` (what `npm start` runs
// after the install check), on non-default ports and a temporary ONBEHALF_DATA_DIR:
//   startColdBuildSec  a fresh data dir and --rebuild, so it builds the workspace, then initdb,
//                      emulator CA, migrations, demo seed
//   startColdSec       a fresh data dir, workspace already built: everything but the build
//   startWarmSec       the same data dir again
// The two "built" starts add --no-build: the build stamp compares source mtimes, and on a shared
// workspace someone's edit between two starts would otherwise make them rebuild.
// Each start is stopped with SIGINT, as Ctrl-C would, and must exit by itself.
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  freePort,
  now,
  removeTempDir,
  repoRoot,
  round,
  spawnUntil,
  stopChild,
  tempDir,
} from '../lib/util.mjs';

export const name = 'start';

async function timeStart(dataDir, label, log, extraArgs = []) {
  const [api, emulator, pg] = [await freePort(), await freePort(), await freePort()];
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ONBEHALF_DATA_DIR: dataDir,
    ONBEHALF_API_PORT: String(api),
    EMULATOR_PORT: String(emulator),
    ONBEHALF_PG_PORT: String(pg),
  };
  const t0 = now();
  let built = false;
  const {
    child,
    value: readyLine,
    tail,
  } = await spawnUntil(
    process.execPath,
    [join(repoRoot, 'scripts', 'start.mjs'), '--no-install', ...extraArgs],
    {
      name: `start (${label})`,
      env,
      timeoutMs: 480_000,
      ready: (line) => {
        if (line.includes('[setup] building')) built = true;
        return line.includes('Onbehalf is running') ? line : undefined;
      },
    },
  );
  const sec = (now() - t0) / 1000;
  const own = /ready in ([\d.]+) s/.exec(readyLine)?.[1];
  // Ctrl-C: the script stops the API, the emulator and Postgres, then exits.
  const s0 = now();
  await stopChild(child, 'SIGINT', 60_000);
  const stopSec = (now() - s0) / 1000;
  // Complaints printed while stopping (the last lines, after the banner).
  const stopErrors = tail
    .slice(-6)
    .filter((l) => /while stopping|could not|error/i.test(l) && !/password/i.test(l));
  const stoppedCleanly = child.exitCode === 0 && stopErrors.length === 0;
  // A start killed without its own shutdown would leave Postgres running in the data dir: stop it.
  const pidFile = join(dataDir, 'pg', 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      /* already gone */
    }
  }
  log(
    `  ${label}: ${round(sec, 1)} s to "Onbehalf is running"${built ? ' (built the workspace)' : ''}; stopped in ${round(stopSec, 1)} s (exit ${child.exitCode ?? child.signalCode})${stopErrors.length ? `: ${stopErrors.join(' | ')}` : ''}`,
  );
  return {
    sec: round(sec, 2),
    reportedSec: own ? Number(own) : null,
    built,
    stopSec: round(stopSec, 2),
    exitCode: child.exitCode,
    stoppedCleanly,
    ...(stopErrors.length ? { stopErrors } : {}),
  };
}

export async function run({ log = console.log, withBuild = true } = {}) {
  const figures = {};
  const details = {};
  const root = tempDir('start');
  // Postgres runs as user postgres (we are root): it must be able to traverse to <data dir>/pg.
  chmodSync(root, 0o755);
  try {
    if (withBuild) {
      const dir = join(root, 'cold-build');
      mkdirSync(dir, { mode: 0o755 });
      const r = await timeStart(dir, 'cold incl. build', log, ['--rebuild']);
      details.coldBuild = r;
      figures.startColdBuildSec = {
        value: round(r.sec, 1),
        unit: 's',
        note: `fresh data dir: workspace build${r.built ? '' : ' (NOT run)'}, initdb, emulator CA, migrations, demo seed`,
      };
    }
    const dir = join(root, 'cold');
    mkdirSync(dir, { mode: 0o755 });
    const cold = await timeStart(dir, 'cold, built', log, ['--no-build']);
    details.cold = cold;
    figures.startColdSec = {
      value: round(cold.sec, 1),
      unit: 's',
      note: 'fresh data dir, workspace built (--no-build): initdb, emulator CA, migrations, demo seed',
    };
    const warm = await timeStart(dir, 'warm', log, ['--no-build']);
    details.warm = warm;
    figures.startWarmSec = {
      value: round(warm.sec, 1),
      unit: 's',
      note: `same data dir again (--no-build); Ctrl-C stop took ${round(warm.stopSec, 1)} s`,
    };
  } finally {
    removeTempDir(root);
  }
  return { figures, details };
}
