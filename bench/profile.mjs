// `node bench/profile.mjs [seconds]`: where the API's CPU goes on the hot path. It starts the bench's stack
// (emulator, embedded Postgres, the built API with --cpu-prof), sends impersonated Creates through the API at
// c=16 for the given time (default 10 s, after a 2 s warm-up), stops the API so that it writes its profile, and
// prints the profile's top entries by self time, and by total time grouped per package.
//
// Needs the built workspace (`npm run build`). The profile stays in bench/results/profiles/ (gitignored) for
// Chrome's DevTools (Performance ▸ Load profile).
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient, JON_PUID, startCrmStack } from './lib/stack.mjs';
import { benchDir, cleanupAll, closedLoop, round } from './lib/util.mjs';

const seconds = Number(process.argv[2] ?? 10);
if (!(seconds > 0)) {
  console.error('usage: node bench/profile.mjs [seconds]');
  process.exit(2);
}
const dir = join(benchDir, 'results', 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
mkdirSync(dir, { recursive: true });
process.env.BENCH_PROFILE_DIR = dir;

/** Self and total time per node of a V8 .cpuprofile, in ms, over the samples taken in [fromUs, toUs]. */
export function summarize(profile, fromUs = -Infinity, toUs = Infinity) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  // Sample timestamps are the profile's startTime plus the deltas, on the monotonic clock that
  // process.hrtime reads (so the bench process can say when its load ran).
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += deltas[i] ?? 0;
    if (t < fromUs || t > toUs) continue;
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0) / 1000);
  }
  const where = (n) => {
    const f = n.callFrame;
    const url = f.url.replace(/^file:\/\//, '');
    const short = url.includes('/node_modules/')
      ? url.slice(url.lastIndexOf('/node_modules/') + 14)
      : url.replace(/^.*\/(apps|packages)\//, '$1/');
    return `${f.functionName || '(anonymous)'} ${short}:${f.lineNumber + 1}`;
  };
  const pkg = (n) => {
    const url = n.callFrame.url;
    if (!url) return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native)';
    if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url.slice(url.lastIndexOf('/node_modules/')));
    if (m) return m[1];
    const a = /\/(apps|packages)\/([^/]+)\//.exec(url);
    return a ? `${a[1]}/${a[2]}` : url;
  };
  const selfByFn = new Map();
  const selfByPkg = new Map();
  let total = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id);
    total += ms;
    const k = where(n);
    selfByFn.set(k, (selfByFn.get(k) ?? 0) + ms);
    const p = pkg(n);
    selfByPkg.set(p, (selfByPkg.get(p) ?? 0) + ms);
  }
  const top = (m, k) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, ms]) => ({ name, ms: round(ms, 1), pct: round((100 * ms) / total, 1) }));
  return { totalMs: round(total, 1), selfByFunction: top(selfByFn, 30), selfByPackage: top(selfByPkg, 20) };
}

async function main() {
  const stack = await startCrmStack({});
  const client = new ApiClient(stack.api.url, { connections: 16 });
  client.useApiKey(stack.apiKey);
  const path = `/api/orgs/${stack.orgId}/records/account`;
  const create = async (i) => {
    const r = await client.call('POST', path, {
      attributes: { name: `Profile account ${i}`, accountnumber: `P-${i}` },
      onBehalfOf: { puid: JON_PUID },
    });
    if (r.status !== 201) throw new Error(`HTTP ${r.status}`);
  };
  await closedLoop({ concurrency: 16, durationMs: 2000, fn: create });
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const res = await closedLoop({ concurrency: 16, durationMs: seconds * 1000, fn: create });
  const toUs = Number(process.hrtime.bigint() / 1000n);
  console.log(`${res.ok} Creates in ${round(res.elapsedMs / 1000, 1)} s (${res.failed} failed)`);
  await client.close();
  await stack.close();
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${dir}`);
  const s = summarize(JSON.parse(readFileSync(join(dir, file), 'utf8')), fromUs, toUs);
  const idle = s.selfByPackage.find((e) => e.name === '(idle)')?.ms ?? 0;
  console.log(
    `\nAPI process during the load: ${s.totalMs} ms sampled, ${round((s.totalMs - idle) / res.ok, 3)} ms per Create not idle`,
  );
  console.log('\nself time by package');
  for (const e of s.selfByPackage) console.log(`  ${String(e.pct).padStart(5)} %  ${e.name}`);
  console.log('\nself time by function');
  for (const e of s.selfByFunction) console.log(`  ${String(e.pct).padStart(5)} %  ${e.name}`);
  console.log(`\nprofile: ${join(dir, file)}`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
