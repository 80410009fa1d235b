import { expect, request as playwrightRequest, test } from '@playwright/test';
import { baseURL } from '../playwright.config';
import { ensureOrg, unique } from './support/stack';

/** Screenshots looked at by hand while building the page (not kept in artifacts/). */
test('Admin activity lists what an admin did, filters it in the URL, and says when nothing matches', async ({
  page,
}) => {
  // A logged admin action, done through the console: adding a user.
  const email = `activity-${unique()}@example.com`;
  await page.goto('/admin-users');
  const form = page.getByRole('region', { name: 'Add a user' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Name').fill('Ada Activity');
  await form.getByLabel('Role').selectOption('auditor');
  await form.getByLabel('Password').fill(`activity-password-${unique()}`);
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('row').filter({ hasText: email })).toContainText('Ada Activity');

  // A failed sign-in as that user, from a browser of no one: logged as a failure.
  const anonymous = await playwrightRequest.newContext({ baseURL });
  const login = await anonymous.post('/api/auth/login', { data: { email, password: 'not-the-password' } });
  expect(login.status()).toBe(401);
  await anonymous.dispose();

  // The page, from the navigation.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin activity' }).click();
  await expect(page.getByRole('heading', { name: 'Admin activity', level: 1 })).toBeVisible();
  const table = page.getByRole('table', { name: 'Admin activity' });
  const created = table.getByRole('row').filter({ hasText: 'admin-user.create' }).filter({ hasText: email });
  await expect(created).toHaveCount(1);
  await expect(created).toContainText('admin@localhost');
  await expect(created).toContainText('Success');
  // Newest first: the failed sign-in came after the creation.
  const rows = table.getByRole('row');
  const failedLogin = rows.filter({ hasText: 'auth.login' }).filter({ hasText: email });
  await expect(failedLogin).toContainText('Failure');
  const texts = await rows.allInnerTexts();
  const at = (needle: string) => texts.findIndex((t) => t.includes(email) && t.includes(needle));
  expect(at('auth.login')).toBeLessThan(at('admin-user.create'));

  // The recorded changes open on demand.
  await created.getByRole('button', { name: 'Show' }).click();
  const diff = page.getByLabel('Changes of admin-user.create');
  await expect(diff).toContainText('"role": "auditor"');
  await expect(diff).toContainText('"name": "Ada Activity"');

  // Filter by action: only that action, and the filter is in the URL.
  const filters = page.getByRole('search', { name: 'Filter admin activity' });
  await filters.getByLabel('Action').fill('admin-user.create');
  await filters.getByLabel('Action').press('Enter');
  await expect(page).toHaveURL(/[?&]action=admin-user\.create/);
  await expect(failedLogin).toHaveCount(0);
  await expect(created).toHaveCount(1);
  for (const text of await table.locator('tbody tr[data-outcome]').allInnerTexts())
    expect(text).toContain('admin-user.create');

  // …and by outcome.
  await filters.getByLabel('Outcome').selectOption('success');
  await expect(page).toHaveURL(/[?&]outcome=success/);
  await expect(created).toHaveCount(1);

  // A filter that matches nothing.
  await filters.getByLabel('Outcome').selectOption('failure');
  await expect(page.getByText('No admin activity matches these filters')).toBeVisible();
  await expect(table).toHaveCount(0);

  // The failed sign-in, found by actor and outcome; the filters survive a reload.
  await filters.getByRole('button', { name: 'Clear filters' }).click();
  await filters.getByLabel('Actor').fill(email.toUpperCase());
  await filters.getByLabel('Actor').press('Enter');
  await filters.getByLabel('Outcome').selectOption('failure');
  await expect(page).toHaveURL(/[?&]outcome=failure/);
  await page.reload();
  await expect(filters.getByLabel('Outcome')).toHaveValue('failure');
  await expect(filters.getByLabel('Actor')).toHaveValue(email.toUpperCase());
  await expect(table.locator('tbody tr[data-outcome]')).toHaveCount(1);
  await expect(failedLogin).toContainText('Failure');

  // A bad date range: the API's message and code.
  await page.goto('/admin-activity?from=2025-02-01&to=2025-01-01');
  const error = page.getByRole('alert');
  await expect(error).toContainText('Could not load admin activity');
  await expect(error).toContainText('INVALID_RANGE');

  // An org-scoped action: the org filter is the list of orgs, and the org links to its page.
  const org = await ensureOrg(page, 'Contoso Ltd');
  await page.goto('/admin-activity');
  await filters.getByLabel('Org').selectOption({ label: 'Contoso Ltd' });
  await expect(page).toHaveURL(new RegExp(`[?&]orgId=${org.id}`));
  const orgCreated = table.locator('tbody tr[data-outcome]').filter({ hasText: 'org.create' });
  await expect(orgCreated).toHaveCount(1);
  for (const text of await table.locator('tbody tr[data-outcome]').allInnerTexts()) {
    expect(text).toContain('Contoso Ltd');
  }
  await orgCreated.getByRole('link', { name: 'Contoso Ltd' }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${org.id}$`));
});
