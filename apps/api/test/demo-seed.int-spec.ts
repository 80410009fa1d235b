import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/demo/demo-seed';
import { json, startTestStack, type TestStack } from './harness';

let s: TestStack;

beforeAll(async () => {
  s = await startTestStack();
}, 120_000);

afterAll(async () => {
  await s?.close();
});

describe('the demo seed of npm start', { timeout: 60_000 }, () => {
  it('uploads the demo certificate and onboards both platforms side by side: Contoso Ltd (CRM 4.0) and Contoso (Dataverse); a second start adds nothing', async () => {
    const note = await seedDemo(s.api, s.emulator);
    expect(note).toBe(
      'Demo data: the ERP_Integration certificate is uploaded; "Contoso Ltd" and "Contoso (Dataverse)" onboarded. Try onboarding "Fabrikam Inc" too.',
    );
    const res = await s.admin.get('/api/orgs');
    const { items } = await json<{ items: Array<{ friendlyName: string; kind: string; status: string }> }>(
      res,
    );
    expect(items.map((o) => [o.friendlyName, o.kind, o.status]).sort()).toEqual([
      ['Contoso (Dataverse)', 'dataverse', 'active'],
      ['Contoso Ltd', 'crm4', 'active'],
    ]);
    expect(await seedDemo(s.api, s.emulator)).toBe('');
  });
});
