// One install serves every supported Node line (package.json engines): CI runs npm test on Node 20 and
// then on Node 24 in the same checkout without reinstalling or rebuilding. That holds because every
// native addon installed is a Node-API addon, whose binary loads under any Node version; an addon built
// against one Node's own ABI (node-gyp with NODE_MODULE) would fail on the other line with
// NODE_MODULE_VERSION mismatch. A Node-API addon exports napi_register_module_v1.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../lib/pnpm.mjs';

/**
 * Every `.node` binary pnpm installed for the workspace, in its virtual store node_modules/.pnpm. Links are
 * not followed: there every dependency of a package is a link to another package of the same store.
 */
function installedAddons() {
  const found = [];
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) visit(join(dir, entry.name));
      else if (entry.isFile() && entry.name.endsWith('.node')) found.push(join(dir, entry.name));
    }
  };
  visit(join(root, 'node_modules', '.pnpm'));
  return found;
}

const isNodeApi = (file) => readFileSync(file).includes('napi_register_module_v1');

// The walk reads the whole store (tens of thousands of folders): seconds on a busy machine, not a timing.
describe('native addons', { timeout: 120_000 }, () => {
  it('are all Node-API addons, so one install runs on Node 20, 22 and 24 alike', () => {
    const addons = installedAddons();
    // argon2 (passwords), swc (the API's test transform), rolldown and lightningcss (vite): if none is
    // found, the search is broken rather than the install clean
    expect(addons.length).toBeGreaterThanOrEqual(4);
    expect(addons.filter((a) => !isNodeApi(a))).toEqual([]);
  });
});
