import { expect, test } from '@playwright/test';
import { emulatorURL } from '../playwright.config';
import { ensureOrg, screen, unique } from './support/stack';

test('Jon Wilson signs in with Windows Live, creates an account, and the audit shows ERP_Integration on behalf of Jon Wilson', async ({
  page,
}) => {
  await page.goto('/');
  const contoso = await ensureOrg(page, 'Contoso Ltd');

  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Test as end user' })
    .click();
  await expect(page.getByRole('heading', { name: 'Test as an end user', level: 1 })).toBeVisible();
  await expect(page.getByRole('region', { name: '2. Who is signed in' })).toContainText('Not signed in');
  await page.getByLabel('Org').selectOption({ label: 'Contoso Ltd' });
  await page.getByRole('link', { name: 'Sign in with Windows Live' }).click();

  // The emulator's RPS sign-in page.
  await expect(page).toHaveURL(new RegExp(`^${emulatorURL}/rps/login`));
  await page.getByLabel('Jon Wilson (jonw@contoso.example)').check();
  await page.getByRole('button', { name: 'Sign in' }).click();

  // Back in the console, for the same org, as Jon.
  await expect(page).toHaveURL(new RegExp(`/test-as-user\\?orgId=${contoso.id}`));
  const who = page.getByRole('region', { name: '2. Who is signed in' });
  await expect(who).toContainText('Jon Wilson');
  await expect(who).toContainText('jonw@contoso.example');

  const accountName = `E2E Jon account ${unique()}`;
  const create = page.getByRole('region', { name: '3. Create an account on their behalf' });
  await create.getByLabel('Account name').fill(accountName);
  await create.getByRole('button', { name: 'Create account' }).click();

  const stamps = create.getByRole('table', { name: 'Stamps recorded by CRM' });
  await expect(stamps.getByRole('row', { name: /^createdby / })).toContainText('Jon Wilson');
  await expect(stamps.getByRole('row', { name: /^createdonbehalfby / })).toContainText('ERP_Integration');
  await expect(create.getByRole('alert').filter({ hasText: 'Account created' })).toBeVisible();
  const recordId =
    (
      await create
        .getByText(/^Record /)
        .locator('code')
        .textContent()
    )?.trim() ?? '';
  expect(recordId).toMatch(/^[0-9a-f-]{36}$/);
  await page.screenshot(screen('test-as-end-user-signed-in'));

  // The audit: the call, who made it for whom, and CRM's stamps reconciled with the ledger.
  await create.getByRole('link', { name: 'See it in the audit' }).click();
  await expect(page.getByRole('heading', { name: 'Audit', level: 1 })).toBeVisible();
  const row = page
    .getByRole('table', { name: 'Audit: who did what' })
    .getByRole('row')
    .filter({ has: page.getByTitle(recordId) });
  await expect(row).toContainText('ERP_Integration on behalf of Jon Wilson');
  // Reconciliation runs right after the create; reload until the ledger has caught up.
  await expect(async () => {
    await page.reload();
    await expect(row.getByText('match', { exact: true })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(row).toContainText('createdby: Jon Wilson');
  await expect(row).toContainText('createdonbehalfby: ERP_Integration');
  await page.screenshot(screen('audit-end-user'));
});
