import { expect, test } from '@playwright/test';
import { adminPassword } from '../playwright.config';

test.describe('sign in', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('a wrong password is refused with a clear message', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Email').fill('admin@localhost');
    await page.getByLabel('Password').fill('definitely-wrong');
    await page.getByRole('button', { name: /sign in/i }).click();
    await expect(page.getByText(/wrong email or password/i)).toBeVisible();
    await page.screenshot({ path: 'artifacts/screens/login-error.png', fullPage: true });
  });

  test('the first admin signs in and reaches the console', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/login/);
    await page.screenshot({ path: 'artifacts/screens/login.png', fullPage: true });
    await page.getByLabel('Email').fill('admin@localhost');
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: /sign in/i }).click();
    await expect(page.getByRole('button', { name: /sign out/i })).toBeVisible();
    await expect(page.getByText('admin@localhost')).toBeVisible();
  });
});

test('the API reports the database and the emulator as reachable', async ({ request }) => {
  const res = await request.get('/api/health');
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.checks.database.status).toBe('up');
  expect(body.checks.emulator.status).toBe('up');
});
