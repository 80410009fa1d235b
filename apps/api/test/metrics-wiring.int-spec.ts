import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCertificateUpload, json, startTestStack, type TestStack } from './harness';

describe('metrics from real calls', () => {
  let s: TestStack;
  let orgId: string;
  beforeAll(async () => {
    s = await startTestStack();
    const cert = await json<{ id: string }>(
      await s.admin.post('/api/certificates', demoCertificateUpload(s.emulator)),
    );
    const org = await json<{ org: { id: string } }>(
      await s.admin.post('/api/orgs', {
        discoveryUrl: s.emulator.discoveryUrl,
        friendlyName: 'Contoso Ltd',
        certificateId: cert.id,
      }),
    );
    orgId = org.org.id;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('counts impersonated calls, their latency and 8004A101 faults per org', async () => {
    const ok = await s.admin.post(`/api/orgs/${orgId}/records/account`, {
      attributes: { name: 'metric' },
      onBehalfOf: { puid: '0003BFFD8F3A5B21' },
    });
    expect(ok.status).toBe(201);
    s.emulator.control.expireTickets({ org: 'contoso' });
    expect(
      (await s.admin.post(`/api/orgs/${orgId}/records/account`, { attributes: { name: 'after expiry' } }))
        .status,
    ).toBe(201);
    const text = await (await s.admin.get('/api/metrics')).text();
    const line = (re: RegExp) => text.split('\n').find((l) => re.test(l) && l.includes(orgId));
    expect(line(/^onbehalf_\w*calls\w*\{[^}]*operation="Create"[^}]*outcome="completed"/)).toBeTruthy();
    expect(line(/^onbehalf_\w*fault\w*\{[^}]*0x8004A101/)).toBeTruthy();
    expect(line(/^onbehalf_\w*refresh\w*\{[^}]*refreshed/)).toBeTruthy();
  });
});
