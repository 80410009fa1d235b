import { expect, test, type Page } from '@playwright/test';
import { consoleApi, ensureDemoCertificate, ensureOrg, screen, unique } from './support/stack';

/** Every action that changes something, as an auditor could be offered it (buttons and button-like links). */
const CHANGE =
  /create|upload|onboard|refresh|evict|delete|retry|run onboarding|add user|resolve|reconcile|check crm stamps|stage|promote|discard/i;

async function expectNoChangeOffered(page: Page, path: string, heading: string | RegExp) {
  await page.goto(path);
  const main = page.getByRole('main');
  await expect(main.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
  // Wait for the page's data before judging what it offers.
  await expect(main.getByText(/^Loading/)).toHaveCount(0);
  await expect(main.getByRole('button', { name: CHANGE }), `${path}: buttons`).toHaveCount(0);
  await expect(main.getByRole('link', { name: CHANGE }), `${path}: links`).toHaveCount(0);
  await expect(main.getByRole('textbox'), `${path}: inputs`).toHaveCount(0);
}

test('an auditor created on the Admin users page can read everything and change nothing', async ({
  page,
  browser,
}) => {
  // Data for the auditor to look at: Contoso, the demo certificate, and one cached user mapping.
  await page.goto('/');
  const contoso = await ensureOrg(page, 'Contoso Ltd');
  const certificateId = await ensureDemoCertificate(page);
  const api = await consoleApi(page);
  await api.post(`/api/orgs/${contoso.id}/user-mappings/resolve`, { puid: '0003BFFD8F3A5B21' });

  // The admin creates the auditor through the console.
  const email = `auditor-${unique()}@example.com`;
  const password = `auditor-password-${unique()}`;
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin users' }).click();
  await expect(page.getByRole('heading', { name: 'Admin users', level: 1 })).toBeVisible();
  const form = page.getByRole('region', { name: 'Add a user' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Name').fill('Audrey Auditor');
  await form.getByLabel('Role').selectOption('auditor');
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Add user' }).click();
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(row).toContainText('Audrey Auditor');
  await expect(row.getByLabel('Role of Audrey Auditor')).toHaveValue('auditor');
  await page.screenshot(screen('admin-users'));

  // The auditor signs in, in a browser of their own.
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const auditor = await context.newPage();
  await auditor.goto('/login');
  await auditor.getByLabel('Email').fill(email);
  await auditor.getByLabel('Password').fill(password);
  await auditor.getByRole('button', { name: 'Sign in' }).click();
  await expect(auditor.getByRole('group', { name: 'Signed-in user' })).toContainText('Auditor (read only)');
  await expect(
    auditor.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin users' }),
  ).toHaveCount(0);

  await expectNoChangeOffered(auditor, '/', 'Overview');
  await expect(auditor.getByRole('table', { name: 'Orgs at a glance' })).toContainText('Contoso Ltd');
  await expectNoChangeOffered(auditor, '/orgs', 'Orgs');
  await expect(auditor.getByRole('note').filter({ hasText: 'Auditors cannot onboard orgs.' })).toBeVisible();
  await expectNoChangeOffered(auditor, `/orgs/${contoso.id}`, 'Contoso Ltd');
  await expect(auditor.getByRole('table', { name: 'User mappings' })).toContainText('Jon Wilson');
  await expect(
    auditor.getByRole('note').filter({ hasText: 'Auditors cannot refresh tickets.' }),
  ).toBeVisible();
  await auditor.screenshot(screen('auditor-org-detail'));
  await expectNoChangeOffered(auditor, '/orgs/new', 'Onboard an org');
  await expectNoChangeOffered(auditor, '/certificates', 'Certificates');
  await expectNoChangeOffered(auditor, `/certificates/${certificateId}`, 'ERP_Integration');
  await expectNoChangeOffered(auditor, '/certificates/new', 'Upload a certificate');
  await expectNoChangeOffered(auditor, '/test-as-user', 'Test as an end user');
  await expectNoChangeOffered(auditor, '/admin-users', 'Admins only');
  await auditor.goto('/audit');
  await expect(auditor.getByRole('heading', { name: 'Audit', level: 1 })).toBeVisible();
  await expect(auditor.getByRole('main').getByRole('button', { name: CHANGE })).toHaveCount(0);
  await auditor.goto('/');
  await expect(auditor.getByRole('table', { name: 'Orgs at a glance' })).toBeVisible();
  await auditor.screenshot(screen('auditor-view'));

  // And the API holds the line even when the console is bypassed.
  const me = await auditor.request.get('/api/auth/me');
  const { csrfToken } = (await me.json()) as { csrfToken: string };
  const forced = await auditor.request.post(`/api/orgs/${contoso.id}/tickets/refresh`, {
    headers: { 'X-CSRF-Token': csrfToken },
  });
  expect(forced.status()).toBe(403);
  expect(((await forced.json()) as { code: string }).code).toBe('FORBIDDEN_ROLE');
  const deleteCert = await auditor.request.delete(`/api/certificates/${certificateId}`, {
    headers: { 'X-CSRF-Token': csrfToken },
  });
  expect(deleteCert.status()).toBe(403);
  expect(((await deleteCert.json()) as { code: string }).code).toBe('FORBIDDEN_ROLE');
  await context.close();
});
