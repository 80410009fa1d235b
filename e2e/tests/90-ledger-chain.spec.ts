import { expect, test } from '@playwright/test';
import { ensureOrg, screen } from './support/stack';

test("the org page verifies the ledger chain on click: verified up to the last sealing, a few seconds after the org's calls", async ({
  page,
}) => {
  await page.goto('/');
  const contoso = await ensureOrg(page, 'Contoso Ltd');
  let verifications = 0;
  page.on('request', (r) => {
    if (r.url().includes('/api/audit/verify?')) verifications++;
  });
  await page.goto(`/orgs/${contoso.id}`);
  const card = page.getByRole('region', { name: 'Ledger chain' });
  // Opening the page does not verify (it reads every sealed row): the card waits for a click.
  await expect(card).toContainText('Not verified yet');
  expect(verifications).toBe(0);
  await card.getByRole('button', { name: 'Verify', exact: true }).click();
  await expect(card.getByRole('button', { name: 'Verify again' })).toBeVisible();
  expect(verifications).toBe(1);
  // Onboarding's test call is in the ledger; the sealer (every 5 s) seals it into the chain.
  await expect(async () => {
    await card.getByRole('button', { name: 'Verify again' }).click();
    await expect(card).toContainText(/Chain verified up to \S/, { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(card).toContainText(/Checked at \S/);
  await expect(card).toContainText(/[1-9][\d,]* sealed rows?, each hashed with the one before it/);
  await card.scrollIntoViewIfNeeded();
  await page.screenshot(screen('org-ledger-chain'));
});

test('the org page names where a broken ledger chain breaks (the verdict as the API would send it)', async ({
  page,
}) => {
  await page.goto('/');
  const contoso = await ensureOrg(page, 'Contoso Ltd');
  const rowId = '3f2b8c1e-0a4d-4e59-9a57-1c2d3e4f5a6b';
  await page.route('**/api/audit/verify?*', (route) =>
    route.fulfill({
      json: {
        orgId: contoso.id,
        rows: 2,
        verifiedThrough: '2026-12-03T08:00:05.000001Z',
        headSeq: '9',
        break: { kind: 'changed', rowId, seq: '3', detail: 'its content does not hash to its row_hash' },
      },
    }),
  );
  await page.goto(`/orgs/${contoso.id}`);
  const card = page.getByRole('region', { name: 'Ledger chain' });
  await card.getByRole('button', { name: 'Verify', exact: true }).click();
  await expect(card).toContainText('Chain broken');
  await expect(card).toContainText('At seq 3: a sealed row was changed');
  await expect(card).toContainText(`Row ${rowId}: its content does not hash to its row_hash.`);
  await expect(card).toContainText('2 sealed rows verified before it');
  await card.scrollIntoViewIfNeeded();
  await page.screenshot(screen('org-ledger-chain-broken'));
});
