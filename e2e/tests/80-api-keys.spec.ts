import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { baseURL } from '../playwright.config';
import { ensureOrg, unique } from './support/stack';

const JON_PUID = '0003BFFD8F3A5B21'; // Jon Wilson in Contoso (demo seed)

/** A record create on an org with the key, as an ISV integration would send it. */
function createRecord(key: string, orgId: string, name: string): Promise<Response> {
  return fetch(`${baseURL}/api/orgs/${orgId}/records/account`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ attributes: { name }, onBehalfOf: { puid: JON_PUID } }),
  });
}

test('an admin creates a calls key for one org on the API keys page, sees it once, the key calls only that org, then is revoked', async ({
  page,
}) => {
  await page.goto('/');
  const contoso = await ensureOrg(page, 'Contoso Ltd');
  const name = `ISV link ${unique()}`;

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
  await expect(page.getByRole('heading', { name: 'API keys', level: 1 })).toBeVisible();
  await expect(page.getByText(/^Loading/)).toHaveCount(0);

  const form = page.getByRole('region', { name: 'Create a key' });
  await form.getByLabel('Name').fill(name);
  await expect(form.getByRole('checkbox', { name: 'calls' })).toBeChecked();
  // A calls key needs its orgs: the form says so before asking the API.
  await form.getByRole('button', { name: 'Create key' }).click();
  await expect(form.getByText('Choose the orgs this key may call')).toBeVisible();
  await form.getByRole('combobox', { name: 'Orgs' }).click();
  await page.getByRole('option', { name: 'Contoso Ltd' }).click();
  await form.getByRole('heading', { name: 'Create a key' }).click(); // close the dropdown
  await expect(form.getByText('Choose the orgs this key may call')).toHaveCount(0);
  await form.getByRole('button', { name: 'Create key' }).click();

  // Shown once, with a copy button and the warning.
  const reveal = page.getByRole('status', { name: /now: you will not see it again/ });
  await expect(reveal).toContainText(name);
  await expect(reveal.getByRole('button', { name: 'Copy API key' })).toBeVisible();
  const key = (await reveal.locator('code').textContent())!.trim();
  expect(key).toMatch(/^obk_[A-Za-z0-9_-]{43}$/);

  const row = page.getByRole('table', { name: 'API keys' }).getByRole('row').filter({ hasText: name });
  await expect(row).toContainText(key.slice(0, 12));
  await expect(row).toContainText('calls');
  await expect(row).toContainText('Contoso Ltd');
  await expect(row).toContainText('Active');

  await reveal.getByRole('button', { name: 'I have copied the key' }).click();
  await expect(reveal).toHaveCount(0);
  await page.reload();
  await expect(row).toBeVisible();
  await expect(page.getByText(key)).toHaveCount(0);

  // The key acts on Contoso, and only there.
  const ok = await createRecord(key, contoso.id, `Made with ${name}`);
  expect(ok.status, await ok.clone().text()).toBe(201);
  const elsewhere = randomUUID(); // an org the key does not name
  const refused = await createRecord(key, elsewhere, 'Not allowed');
  expect(refused.status).toBe(403);
  expect(await refused.json()).toMatchObject({
    code: 'API_KEY_SCOPE',
    details: { missingScope: 'calls', orgId: elsewhere },
  });

  await page.reload();
  await expect(row).toContainText(/from \S+/); // last use: time and address

  await row.getByRole('button', { name: `Revoke ${name}` }).click();
  const dialog = page.getByRole('dialog', { name: `Revoke ${name}?` });
  await dialog.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toContainText('Revoked');
  await expect(row.getByRole('button', { name: `Revoke ${name}` })).toHaveCount(0);
  expect((await createRecord(key, contoso.id, 'After revocation')).status).toBe(401);
});

test('the API keys page warns about a key created before scopes (legacy) and marks its row', async ({
  page,
}) => {
  // A legacy key can only come from the migration of an older database (covered by the API's
  // int-spec); here the list's reply gets one added, to see how the page shows it.
  const legacy = {
    id: randomUUID(),
    name: 'Old nightly sync',
    prefix: 'obk_Leg4cy00',
    scopes: ['admin'],
    orgIds: [],
    deletedOrgIds: [],
    createdAt: '2026-01-05T08:00:00.000Z',
    expiresAt: null,
    lastUsedAt: '2026-12-01T02:00:00.000Z',
    lastUsedIp: '10.1.2.3',
    revokedAt: null,
    legacy: true,
  };
  await page.route('**/api/api-keys', async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    const res = await route.fetch();
    const body = (await res.json()) as { items: unknown[] };
    await route.fulfill({ response: res, json: { items: [legacy, ...body.items] } });
  });
  await page.goto('/api-keys');
  await expect(page.getByRole('heading', { name: 'API keys', level: 1 })).toBeVisible();
  await expect(page.getByText('1 key was created before scopes and acts as an admin')).toBeVisible();
  const row = page.getByRole('table', { name: 'API keys' }).getByRole('row').filter({ hasText: legacy.name });
  await expect(row).toContainText('Legacy: replace');
  await expect(row).toContainText('All');
  await expect(row).toContainText('from 10.1.2.3');
});

test('an admin creates a metrics:read key for a Prometheus scraper: it reads /api/metrics and nothing else', async ({
  page,
}) => {
  const name = `Prometheus ${unique()}`;
  await page.goto('/api-keys');
  await expect(page.getByRole('heading', { name: 'API keys', level: 1 })).toBeVisible();
  const form = page.getByRole('region', { name: 'Create a key' });
  await form.getByLabel('Name').fill(name);
  await form.getByRole('checkbox', { name: 'calls' }).uncheck();
  await form.getByRole('checkbox', { name: 'metrics:read' }).check();
  // Orgs are for calls keys only.
  await expect(form.getByRole('combobox', { name: 'Orgs' })).toBeDisabled();
  await form.getByRole('button', { name: 'Create key' }).click();

  const reveal = page.getByRole('status', { name: /now: you will not see it again/ });
  await expect(reveal).toContainText(name);
  const key = (await reveal.locator('code').textContent())!.trim();
  const row = page.getByRole('table', { name: 'API keys' }).getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('metrics:read');
  await expect(row).toContainText('—'); // no orgs

  const bearer = (path: string) =>
    fetch(`${baseURL}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const scrape = await bearer('/api/metrics');
  expect(scrape.status).toBe(200);
  expect(await scrape.text()).toContain('# TYPE onbehalf_');
  const audit = await bearer('/api/audit');
  expect(audit.status).toBe(403);
  expect(await audit.json()).toMatchObject({
    code: 'API_KEY_SCOPE',
    details: { missingScope: 'audit:read' },
  });
});

test('the API keys page marks an org deleted since a key was made', async ({ page }) => {
  // Orgs are not deleted through the API (an operator does it in the database); here the list's reply
  // gets a key whose second org is gone, to see how the page shows it.
  await page.goto('/');
  const contoso = await ensureOrg(page, 'Contoso Ltd');
  const gone = randomUUID();
  const orphan = {
    id: randomUUID(),
    name: 'Half-orphaned link',
    prefix: 'obk_Orph4n00',
    scopes: ['calls'],
    orgIds: [contoso.id, gone],
    deletedOrgIds: [gone],
    createdAt: '2026-11-05T08:00:00.000Z',
    expiresAt: null,
    lastUsedAt: null,
    lastUsedIp: null,
    revokedAt: null,
    legacy: false,
  };
  await page.route('**/api/api-keys', async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    const res = await route.fetch();
    const body = (await res.json()) as { items: unknown[] };
    await route.fulfill({ response: res, json: { items: [orphan, ...body.items] } });
  });
  await page.goto('/api-keys');
  const row = page.getByRole('table', { name: 'API keys' }).getByRole('row').filter({ hasText: orphan.name });
  await expect(row).toContainText(`Contoso Ltd, ${gone.slice(0, 8)} (deleted)`);
});
