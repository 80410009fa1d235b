// The console's Admin activity page offers the actions the API records as filter suggestions. The two live on
// either side of the HTTP wall, so this spec keeps them in step: every `action: '…'` the API writes to the admin
// audit log is offered, and nothing else is.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { root } from '../lib/pnpm.mjs';

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [p] : [];
  });
}

it('the Admin activity page offers exactly the actions the API records in the admin audit log', () => {
  const recorded = new Set();
  for (const file of sources(join(root, 'apps/api/src'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\baction: '([a-z][a-z.:-]*\.[a-z.:-]+)'/g))
      recorded.add(m[1]);
  }
  const form = readFileSync(
    join(root, 'apps/web/src/features/admin-activity/components/admin-activity-filters-form.tsx'),
    'utf8',
  );
  const list = /export const ACTIONS = \[([\s\S]*?)\];/.exec(form)?.[1] ?? '';
  const offered = [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]);
  expect(recorded.size).toBeGreaterThan(10);
  expect([...offered].sort()).toEqual([...recorded].sort());
});
