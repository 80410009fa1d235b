import { expect, test, type Locator } from '@playwright/test';
import { ensureOrg, screen } from './support/stack';

// The stack runs with 40 s CRM tickets and a 15 s refresh-ahead window (playwright.config.ts), and the API's
// background job looks every 15 s: a refresh is due within about 40 s of any moment.

async function refreshCount(panel: Locator): Promise<number> {
  const value = panel
    .getByRole('term')
    .filter({ hasText: /^Refreshes$/ })
    .locator('xpath=following-sibling::dd[1]');
  const text = await value.textContent();
  return Number(text?.trim());
}

test('a short-lived CRM ticket is seen counting down and being refreshed on the org page', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto('/');
  const contoso = await ensureOrg(page, 'Contoso Ltd');

  await page.goto(`/orgs/${contoso.id}`);
  await expect(page.getByRole('heading', { name: 'Contoso Ltd', level: 1 })).toBeVisible();
  const panel = page.getByRole('region', { name: 'Ticket health' });
  const countdown = panel.getByTestId('ticket-countdown');
  await expect(countdown).toHaveText(/^(expires in \d+ s|expired \d+ s ago)$/);
  // The countdown moves every second.
  const first = await countdown.textContent();
  await expect(countdown).not.toHaveText(first ?? '', { timeout: 3_000 });
  await page.screenshot(screen('org-detail'));

  const before = await refreshCount(panel);
  const refreshedRows = panel
    .getByRole('table', { name: 'Recent ticket events' })
    .getByRole('row')
    .filter({ hasText: 'Refreshed' });
  const rowsBefore = await refreshedRows.count();

  // The page polls ticket health every 15 s; no reload needed.
  await expect
    .poll(() => refreshCount(panel), { timeout: 75_000, intervals: [2_000] })
    .toBeGreaterThan(before);
  await expect.poll(() => refreshedRows.count(), { timeout: 5_000 }).toBeGreaterThan(rowsBefore);
  await expect(countdown).toHaveText(/^expires in \d+ s$/);
  await expect(panel.getByText(/^(Valid|Expiring)$/).first()).toBeVisible();
});
