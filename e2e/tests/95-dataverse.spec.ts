import { expect, test } from '@playwright/test';
import { emulatorURL } from '../playwright.config';
import { emulatorControl, ensureDemoCertificate, screen } from './support/stack';

const STEPS = [
  { name: 'token', title: /access token/i },
  { name: 'whoami', title: /WhoAmI|application user/i },
  { name: 'delegate', title: /Delegate|on behalf/i },
  { name: 'test-write', title: /test write/i },
] as const;

test('the Dataverse demo environment is onboarded in the wizard, the audit shows the ISV app on behalf of Jon Wilson as a match, and the orgs table fits the window', async ({
  page,
}) => {
  await page.goto('/');
  const certificateId = await ensureDemoCertificate(page);

  await page.goto('/orgs');
  await page.getByRole('link', { name: 'Onboard an org' }).click();
  await page.getByText('Dynamics 365 / Dataverse (Entra ID)').click();
  await expect(page.getByRole('radio', { name: 'Dynamics 365 / Dataverse (Entra ID)' })).toBeChecked();
  await expect(page.getByLabel('Discovery service URL')).toHaveCount(0);
  await expect(page.getByLabel('Tenant')).toHaveValue('contoso.onmicrosoft.com');
  await page.getByLabel('Environment URL').fill(`${emulatorURL}/dataverse/contosodv`);
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Contoso (Dataverse)');
  await page.getByLabel('Certificate').selectOption(certificateId);
  await page.getByRole('button', { name: 'Start onboarding' }).click();

  const flow = page.getByRole('region', { name: '2. The onboarding flow' });
  await expect(flow.getByRole('heading', { name: /Onboarding succeeded/ })).toBeVisible({ timeout: 30_000 });
  const items = flow.getByRole('list', { name: 'Onboarding steps' }).getByRole('listitem');
  await expect(items).toHaveCount(STEPS.length);
  for (const [index, step] of STEPS.entries()) {
    await expect(items.nth(index), step.name).toContainText(step.title);
    await expect(items.nth(index), step.name).toContainText('Succeeded');
  }
  await page.screenshot(screen('onboarding-dataverse'));

  await flow.getByRole('link', { name: 'Open Contoso (Dataverse)' }).click();
  await expect(page.getByRole('heading', { name: 'Contoso (Dataverse)', level: 1 })).toBeVisible();
  const facts = page.getByRole('region', { name: 'Organization' });
  await expect(facts).toContainText('Dataverse (Entra ID)');
  await expect(facts).toContainText(`${emulatorURL}/dataverse/contosodv`);
  await expect(facts).toContainText('Onbehalf ISV integration');
  await expect(page.getByRole('region', { name: 'Ticket health' })).toContainText('Access token expiry');

  // Reconciliation reads the onboarding test write back from the Web API and compares its stamps.
  const calls = page.getByRole('region', { name: 'Recent calls' });
  await calls.getByRole('button', { name: 'Check CRM stamps now' }).click();
  await expect(calls.getByRole('status')).toContainText(/Checked \d+: \d+ match, 0 mismatch, 0 missing/);
  await calls.getByRole('link', { name: 'See all of this org’s calls in the audit' }).click();
  await expect(page.getByRole('heading', { name: 'Audit', level: 1 })).toBeVisible();
  const write = page
    .getByRole('table', { name: 'Audit: who did what' })
    .getByRole('row')
    .filter({ hasText: 'Onbehalf ISV integration on behalf of Jon Wilson' })
    .filter({ hasText: 'account' })
    .first();
  await expect(write).toContainText('Create');
  await expect(write.getByText('match', { exact: true })).toBeVisible();
  await expect(write).toContainText('createdby: Jon Wilson');
  await expect(write).toContainText('createdonbehalfby: Onbehalf ISV integration');
  await page.screenshot(screen('audit-dataverse'));

  // With an environment URL in it, the orgs table still fits the 1366-px window: no sideways scroll.
  await page.goto('/orgs');
  const orgs = page.getByRole('table', { name: 'Orgs' });
  await expect(orgs.getByRole('row').filter({ hasText: 'Contoso (Dataverse)' })).toBeVisible();
  for (const column of ['Service account', 'Onboarded']) {
    await expect(orgs.getByRole('columnheader', { name: column }), column).toBeInViewport({ ratio: 1 });
  }
  const pastRightEdge = await orgs.evaluate(
    (table) => table.getBoundingClientRect().right - document.documentElement.clientWidth,
  );
  expect(pastRightEdge).toBeLessThan(1); // sub-pixel: the box's edge is fractional, the window's width whole
});

test("an app the tenant has not consented to fails the token step; the hint's admin-consent link leads to the consent page, and back in the console the run succeeds", async ({
  page,
}) => {
  await page.goto('/');
  const emulator = await emulatorControl();
  // The identity platform refuses the next token request as from an app without consent (AADSTS700016).
  const scenario = await emulator.post('/_control/scenarios', {
    data: { name: 'NO_CONSENT', endpoint: 'entra', params: { count: 1 } },
  });
  expect(scenario.ok(), await scenario.text()).toBe(true);

  await page.goto('/orgs');
  await page.getByRole('link', { name: 'Contoso (Dataverse)' }).click();
  const onboarding = page.getByRole('region', { name: 'Onboarding' });
  await onboarding.getByRole('button', { name: /Run onboarding again/ }).click();
  const failed = onboarding.getByRole('listitem').filter({ hasText: /access token/i });
  await expect(failed).toContainText('Failed');
  const consent = failed.getByRole('link', { name: /adminconsent/ });
  await expect(consent).toHaveAttribute('href', /redirect_uri=.*%2Forgs%2Fconsent&state=/);
  await page.screenshot(screen('onboarding-dataverse-no-consent'));

  // The administrator's side: the identity platform's consent page, in the same tab.
  await page.goto((await consent.getAttribute('href'))!);
  await expect(page.getByText(/wants permission to access Dynamics 365/)).toBeVisible();
  await page.getByRole('button', { name: 'Accept' }).click();

  await expect(page.getByRole('heading', { name: 'Admin consent', level: 1 })).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'Admin consent granted' })).toBeVisible();
  await page.getByRole('button', { name: 'Run onboarding again' }).click();
  await expect(page.getByRole('status')).toContainText('Onboarding succeeded');
  await page.screenshot(screen('admin-consent-granted'));
  await emulator.dispose();
});
