import type { RunningApi } from '../server';

/** What the demo seed needs to know of the emulator (structural, so the API does not depend on it). */
export interface DemoEmulator {
  discoveryUrl: string;
  demo: { certPath: string; keyPath: string; chainPath: string; serviceAccountLiveId: string };
}

/**
 * Loads the console's demo data on a first start. Returns a one-line note for the start banner.
 * Grows with the certificates and orgs modules: today it only reports what exists.
 */
export async function seedDemo(api: RunningApi, emulator: DemoEmulator): Promise<string> {
  const [{ count }] = (await api.dataSource.query(`SELECT count(*)::int AS count FROM admin_users`)) as [{ count: number }];
  return `Demo: ${count} admin user(s); onboard "Contoso Ltd" at ${emulator.discoveryUrl} with the demo certificate.`;
}
