import { expect, test as setup } from '@playwright/test';
import { adminPassword } from '../playwright.config';

// Signs in once through the real login page and keeps the session for the other tests.
setup('sign in as the first admin', async ({ browser }) => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email').fill('admin@localhost');
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: /sign in/i }).click();
  await expect(page.getByRole('button', { name: /sign out/i })).toBeVisible();
  await context.storageState({ path: './artifacts/.auth/admin.json' });
  await context.close();
});
