import { expect, test } from '@playwright/test';
import { ensureOrg, screen } from './support/stack';

test('the overview lists each org with its ticket, certificate and failures', async ({ page }) => {
  await page.goto('/');
  await ensureOrg(page, 'Contoso Ltd');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  const row = page
    .getByRole('table', { name: 'Orgs at a glance' })
    .getByRole('row')
    .filter({ hasText: 'Contoso Ltd' });
  await expect(row).toContainText('Active');
  await expect(row).toContainText(/expires in \d+ s|expired \d+ s ago/);
  await expect(row).toContainText(/\d+ d left/);
  await page.screenshot(screen('overview'));
});

test('checking CRM stamps from the org page reconciles the onboarding test write, and the audit shows it as a match', async ({
  page,
}) => {
  await page.goto('/');
  const contoso = await ensureOrg(page, 'Contoso Ltd');
  await page.goto(`/orgs/${contoso.id}`);
  const calls = page.getByRole('region', { name: 'Recent calls' });
  await calls.getByRole('button', { name: 'Check CRM stamps now' }).click();
  // Rows reconciled earlier (for example right after an end-user create) are not checked again.
  await expect(calls.getByRole('status')).toContainText(/Checked \d+: \d+ match, 0 mismatch, 0 missing/);

  await calls.getByRole('link', { name: 'See all of this org’s calls in the audit' }).click();
  await expect(page.getByRole('heading', { name: 'Audit', level: 1 })).toBeVisible();
  await expect(page.getByLabel('Org')).toHaveValue(contoso.id);
  const write = page
    .getByRole('table', { name: 'Audit: who did what' })
    .getByRole('row')
    .filter({ hasText: 'ERP_Integration on behalf of Jon Wilson' })
    .filter({ hasText: 'account' })
    .first();
  await expect(write).toContainText('Create');
  await expect(write.getByText('match', { exact: true })).toBeVisible();
  await expect(write).toContainText('createdby: Jon Wilson');
  await expect(write).toContainText('createdonbehalfby: ERP_Integration');
  await page.screenshot(screen('audit'));
});

test('the end-user page sends the admin to the Windows Live sign-in for the chosen org', async ({ page }) => {
  await page.goto('/');
  const contoso = await ensureOrg(page, 'Contoso Ltd');
  await page.goto('/test-as-user');
  await expect(page.getByRole('heading', { name: 'Test as an end user', level: 1 })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in with Windows Live' })).toBeDisabled();
  await page.getByLabel('Org').selectOption({ label: 'Contoso Ltd' });
  await expect(page).toHaveURL(new RegExp(`[?&]orgId=${contoso.id}`));
  await expect(page.getByRole('link', { name: 'Sign in with Windows Live' })).toHaveAttribute(
    'href',
    `/api/rps/login?orgId=${contoso.id}`,
  );
  await expect(page.getByRole('region', { name: '2. Who is signed in' })).toContainText('Not signed in');
  await page.screenshot(screen('test-as-end-user'));
});

test.describe('at tablet width', () => {
  test.use({ viewport: { width: 768, height: 1024 } });

  test('the overview and the org page fit without the side navigation', async ({ page }) => {
    await page.goto('/');
    const contoso = await ensureOrg(page, 'Contoso Ltd');
    await page.reload();
    await expect(page.getByRole('table', { name: 'Orgs at a glance' })).toContainText('Contoso Ltd');
    await expect(page.getByRole('button', { name: 'Open navigation' })).toBeVisible();
    // Nothing wider than the screen but the tables' own scroll areas.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot(screen('overview-768'));

    await page.goto(`/orgs/${contoso.id}`);
    await expect(page.getByRole('heading', { name: 'Contoso Ltd', level: 1 })).toBeVisible();
    await expect(page.getByTestId('ticket-countdown')).toBeVisible();
    const orgOverflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(orgOverflow).toBeLessThanOrEqual(0);
    await page.screenshot(screen('org-detail-768'));

    await page.getByRole('button', { name: 'Open navigation' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Certificates' }).click();
    await expect(page.getByRole('heading', { name: 'Certificates', level: 1 })).toBeVisible();
  });
});
