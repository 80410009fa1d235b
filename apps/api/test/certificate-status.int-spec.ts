import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestStack, type TestStack } from './harness';
import { onboard, uploadDemoCertificate } from './support/orgs';

interface CertificateReply {
  id: string;
  status: string;
  daysToExpiry: number;
  notAfter: string;
}
interface OverviewReply {
  orgs: { id: string; attention: string[]; certificate: CertificateReply | null }[];
  totals: { certificatesExpiring: number };
}

/** One status per certificate: its own page, the list and the overview show the same one (real Postgres, real HTTP). */
describe('certificate status: the overview and the certificate page agree', () => {
  let s: TestStack;
  let certId: string;
  let orgId: string;

  const page = async () => json<CertificateReply>(await s.admin.get(`/api/certificates/${certId}`));
  const listed = async () =>
    (await json<{ items: CertificateReply[] }>(await s.admin.get('/api/certificates'))).items.find(
      (c) => c.id === certId,
    )!;
  const overview = async () => {
    const o = await json<OverviewReply>(await s.admin.get('/api/overview'));
    return { org: o.orgs.find((x) => x.id === orgId)!, totals: o.totals };
  };
  const setRow = (status: string, notAfterSql: string) =>
    s.api.dataSource.query(`UPDATE certificates SET status = $2, not_after = ${notAfterSql} WHERE id = $1`, [
      certId,
      status,
    ]);

  beforeAll(async () => {
    s = await startTestStack();
    certId = await uploadDemoCertificate(s.admin, s.emulator);
    orgId = await onboard(s.admin, s.emulator, 'Contoso Ltd', certId);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('an invalid certificate that expires within 30 days is "invalid" on its page, in the list and on the overview', async () => {
    // No upload stores an invalid certificate (they are refused with 422), so the row is set
    // as a later revalidation would leave it.
    await setRow('invalid', `now() + interval '10 days'`);
    const { org, totals } = await overview();
    expect((await page()).status).toBe('invalid');
    expect((await listed()).status).toBe('invalid');
    expect(org.certificate).toMatchObject({
      id: certId,
      status: 'invalid',
      daysToExpiry: (await page()).daysToExpiry,
    });
    expect(org.attention).toContain('Certificate invalid');
    expect(org.attention.filter((a) => a.startsWith('Certificate expires'))).toEqual([]);
    expect(totals.certificatesExpiring).toBe(1);
  });

  it('a usable certificate within 30 days of expiry is "expiring" in both, with the same days left', async () => {
    await setRow('valid', `now() + interval '12 days 1 hour'`);
    const { org } = await overview();
    const p = await page();
    expect(p).toMatchObject({ status: 'expiring', daysToExpiry: 12 });
    expect(org.certificate).toMatchObject({ status: 'expiring', daysToExpiry: 12, notAfter: p.notAfter });
    expect(org.attention).toContain('Certificate expires in 12 days');
  });

  it('an expired certificate is "invalid" in both, and the overview says it expired', async () => {
    await setRow('valid', `now() - interval '2 hours'`);
    const { org } = await overview();
    expect((await page()).status).toBe('invalid');
    expect(org.certificate?.status).toBe('invalid');
    expect(org.attention).toContain('Certificate expired');
  });

  it('a usable certificate far from expiry is "valid" in both, and needs no attention', async () => {
    await setRow('valid', `now() + interval '200 days'`);
    const { org, totals } = await overview();
    expect((await page()).status).toBe('valid');
    expect(org.certificate?.status).toBe('valid');
    expect(org.attention.filter((a) => a.startsWith('Certificate'))).toEqual([]);
    expect(totals.certificatesExpiring).toBe(0);
  });
});
