import { expect, test } from '@playwright/test';
import { demoFiles, demoThumbprint, emulatorControl, screen, unique } from './support/stack';

// Files are numbered: with one worker Playwright runs them in name order, so the demo certificate is uploaded
// through the console before the onboarding tests use it (each later test still prepares what it needs itself).

test('the demo certificate is uploaded by drag and drop, with both thumbprint forms and its chain leaf to root', async ({
  page,
}) => {
  await page.goto('/certificates');
  await expect(page.getByRole('heading', { name: 'Certificates', level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'Upload a certificate' }).click();
  await expect(page.getByRole('heading', { name: 'Upload a certificate', level: 1 })).toBeVisible();

  // The dropzone's file input: what a drop hands to the page.
  await page.getByLabel('Certificate files').setInputFiles(demoFiles.pfx);
  await expect(page.getByRole('status').filter({ hasText: 'Detected PKCS#12' })).toContainText(
    'erp_integration.pfx',
  );
  await page.getByLabel('Service account Live ID').fill(demoFiles.liveId);
  await page.getByLabel('Name', { exact: true }).fill('ERP_Integration');
  await page.getByLabel('PKCS#12 password').fill(demoFiles.pfxPassword());
  await page.getByRole('button', { name: 'Upload certificate' }).click();

  // The detail page of the new certificate.
  await expect(page).toHaveURL(/\/certificates\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { name: 'ERP_Integration', level: 1 })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Validation report' })).toHaveCount(0);
  await expect(page.getByText('No problems found.')).toBeVisible();

  const { hex, base64 } = demoThumbprint();
  const spaced = hex.toLowerCase().match(/../g)!.join(' ');
  const thumbprints = page.getByRole('region', { name: 'Thumbprints' });
  await expect(thumbprints.getByText(spaced, { exact: true })).toBeVisible();
  await expect(thumbprints.getByText(base64, { exact: true })).toBeVisible();
  await expect(thumbprints.getByRole('button', { name: 'Copy SHA-1 (base64)' })).toBeVisible();

  const chain = page.getByRole('list', { name: 'Certificate chain, leaf to root' }).getByRole('listitem');
  await expect(chain).toHaveCount(3);
  await expect(chain.nth(0)).toContainText('ERP_Integration');
  await expect(chain.nth(0)).toContainText('Leaf');
  await expect(chain.nth(1)).toContainText('Intermediate');
  await expect(chain.nth(2)).toContainText('Root');
  await expect(chain.nth(2)).toContainText('Supported root');
  await expect(chain.nth(0)).toContainText(`SHA-1 ${spaced}`);
  await page.screenshot(screen('certificate-detail'));

  await page.getByRole('link', { name: 'All certificates' }).click();
  const row = page
    .getByRole('table', { name: 'Certificates' })
    .getByRole('row')
    .filter({ hasText: 'ERP_Integration' });
  await expect(row).toContainText(demoFiles.liveId);
  await expect(row).toContainText(spaced);
  await expect(row.getByText('Valid', { exact: true })).toBeVisible();
  await page.screenshot(screen('certificates'));
});

test('an expired certificate without client authentication is refused with every problem listed', async ({
  page,
}) => {
  const emulator = await emulatorControl();
  const day = 86_400_000;
  const commonName = `E2E expired ${unique()}`;
  const issued = await emulator.post('/_control/pki/issue', {
    data: {
      commonName,
      clientAuth: false,
      notBefore: new Date(Date.now() - 60 * day).toISOString(),
      notAfter: new Date(Date.now() - 2 * day).toISOString(),
    },
  });
  expect(issued.status()).toBe(201);
  const { certPem, keyPem, chainPem } = (await issued.json()) as {
    certPem: string;
    keyPem: string;
    chainPem: string;
  };
  await emulator.dispose();

  await page.goto('/certificates/new');
  await page.getByLabel('Certificate files').setInputFiles([
    { name: 'expired.crt.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(certPem) },
    { name: 'expired.key.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(keyPem) },
    { name: 'expired.chain.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(chainPem) },
  ]);
  await expect(page.getByRole('status').filter({ hasText: 'Detected PEM' })).toContainText(
    'a chain of 2 certificates',
  );
  await page.getByLabel('Service account Live ID').fill(`expired-${unique()}@contoso-isv.example`);
  await page.getByRole('button', { name: 'Upload certificate' }).click();

  const refused = page.getByRole('alert').filter({ hasText: 'The certificate was refused' });
  await expect(refused).toBeVisible();
  const report = refused.getByRole('table', { name: 'Validation report' });
  for (const code of ['EXPIRED', 'NO_CLIENT_AUTH']) {
    const row = report.getByRole('row').filter({ has: page.getByText(code, { exact: true }) });
    await expect(row, code).toContainText('error');
  }
  await expect(page).toHaveURL(/\/certificates\/new$/);
  await page.screenshot(screen('certificate-upload-problems'));

  // Nothing was stored.
  const { items } = (await (await page.request.get('/api/certificates')).json()) as {
    items: Array<{ subject: string }>;
  };
  expect(items.filter((c) => c.subject.includes(commonName))).toEqual([]);
});
