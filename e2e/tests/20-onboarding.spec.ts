import { expect, test, type Locator, type Page } from '@playwright/test';
import { discoveryUrl, ensureDemoCertificate, screen } from './support/stack';

const STEPS = [
  { name: 'policy', title: /policy/i },
  { name: 'wlid-ticket', title: /Windows Live ticket/i },
  { name: 'organizations', title: /organization/i },
  { name: 'crm-ticket', title: /CRM ticket/i },
  { name: 'whoami', title: /WhoAmI/ },
  { name: 'proxy-role', title: /proxy role/i },
  { name: 'test-write', title: /test write/i },
] as const;

/** "12 ms", "1.20 s", "1 min 02 s": what the wizard prints as a step's duration. */
const DURATION = /^(\d+(\.\d+)? (ms|s)|\d+ min \d+ s)$/;

async function startOnboarding(page: Page, friendlyName: string, certificateId: string): Promise<Locator> {
  await page.goto('/orgs');
  await page.getByRole('link', { name: 'Onboard an org' }).click();
  await expect(page.getByRole('heading', { name: 'Onboard an org', level: 1 })).toBeVisible();
  await page.getByLabel('Discovery service URL').fill(discoveryUrl);
  await page.getByLabel('Friendly name').fill(friendlyName);
  await page.getByLabel('Certificate').selectOption(certificateId);
  await page.getByRole('button', { name: 'Start onboarding' }).click();
  const flow = page.getByRole('region', { name: '2. The onboarding flow' });
  await expect(flow).toBeVisible();
  return flow;
}

function stepItems(scope: Locator): Locator {
  return scope.getByRole('list', { name: 'Onboarding steps' }).getByRole('listitem');
}

test.describe('onboarding an org through the wizard', () => {
  let certificateId = '';
  test.beforeEach(async ({ page }) => {
    await page.goto('/');
    certificateId = await ensureDemoCertificate(page);
  });

  test('Contoso Ltd is onboarded and every step shows succeeded with a duration', async ({ page }) => {
    const flow = await startOnboarding(page, 'Contoso Ltd', certificateId);
    await expect(flow.getByRole('heading', { name: /Onboarding succeeded/ })).toBeVisible({
      timeout: 30_000,
    });

    const items = stepItems(flow);
    await expect(items).toHaveCount(STEPS.length);
    for (const [index, step] of STEPS.entries()) {
      const item = items.nth(index);
      await expect(item, step.name).toContainText(step.title);
      await expect(item, step.name).toContainText('Succeeded');
      await expect(item.getByText(DURATION), step.name).toBeVisible();
    }
    await page.screenshot(screen('onboarding-success'));

    await flow.getByRole('link', { name: 'Open Contoso Ltd' }).click();
    await expect(page.getByRole('heading', { name: 'Contoso Ltd', level: 1 })).toBeVisible();
    const facts = page.getByRole('region', { name: 'Organization' });
    await expect(facts).toContainText('contoso');
    await expect(facts).toContainText('ERP_Integration');

    await page.getByRole('link', { name: 'Orgs', exact: true }).click();
    const row = page.getByRole('row').filter({ hasText: 'Contoso Ltd' });
    await expect(row).toContainText(/active/i);
    await page.screenshot(screen('orgs'));
  });

  test('Fabrikam Inc fails at the proxy-role step with a hint naming the privilege, and offers Retry', async ({
    page,
  }) => {
    const flow = await startOnboarding(page, 'Fabrikam Inc', certificateId);
    await expect(flow.getByRole('heading', { name: /Onboarding failed at/ })).toBeVisible({
      timeout: 30_000,
    });

    const items = stepItems(flow);
    for (const [index, step] of STEPS.entries()) {
      const item = items.nth(index);
      if (index < 5) await expect(item, step.name).toContainText('Succeeded');
      if (step.name === 'test-write') await expect(item, step.name).not.toContainText('Succeeded');
    }
    const proxy = items.nth(5);
    await expect(proxy).toContainText('Failed');
    const hint = proxy.getByRole('alert');
    await expect(hint).toContainText('Act on Behalf of Another User');
    await expect(hint).toContainText('Fabrikam Inc');
    await expect(flow.getByRole('button', { name: 'Retry' })).toBeEnabled();
    await page.screenshot(screen('onboarding-fabrikam-failed'));

    // Retry runs the flow again and, with nothing fixed in CRM, fails at the same step.
    await flow.getByRole('button', { name: 'Retry' }).click();
    await expect(flow.getByRole('heading', { name: /Onboarding failed at/ })).toBeVisible({
      timeout: 30_000,
    });
    await expect(stepItems(flow).nth(5)).toContainText('Failed');
  });
});
