import { readFileSync } from 'node:fs';
import { CertificatesService } from '../certificates/certificates.service';
import type { RequestContext } from '../common/principal';
import { OrgsService } from '../orgs/orgs.service';
import type { RunningApi } from '../server';

/** What the demo seed needs to know of the emulator (structural, so the API does not depend on it). */
export interface DemoEmulator {
  discoveryUrl: string;
  demo: { certPath: string; keyPath: string; chainPath: string; serviceAccountLiveId: string };
}

const SYSTEM: RequestContext = {
  principal: {
    kind: 'session',
    userId: null,
    email: 'demo-seed',
    name: 'Demo seed',
    role: 'admin',
    sessionId: null,
    apiKeyId: null,
  },
  requestId: 'demo-seed',
  ip: null,
  userAgent: null,
};

/**
 * Loads the console's demo data on a first start: the emulator's demo certificate, and
 * "Contoso Ltd" onboarded with it (Fabrikam Inc is left for the admin to try: it fails at the
 * proxy-role step, by design). Returns a one-line note for the start banner.
 */
export async function seedDemo(api: RunningApi, emulator: DemoEmulator): Promise<string> {
  const certificates = api.app.get(CertificatesService);
  const orgs = api.app.get(OrgsService);
  if ((await certificates.list()).length > 0) return '';
  const cert = await certificates.upload(
    {
      name: 'ERP_Integration (demo)',
      serviceAccountLiveId: emulator.demo.serviceAccountLiveId,
      format: 'pem',
      certificatePem: readFileSync(emulator.demo.certPath, 'utf8'),
      privateKeyPem: readFileSync(emulator.demo.keyPath, 'utf8'),
      chainPem: readFileSync(emulator.demo.chainPath, 'utf8'),
    },
    SYSTEM,
  );
  const { run } = await orgs.create(
    { discoveryUrl: emulator.discoveryUrl, friendlyName: 'Contoso Ltd', certificateId: cert.id },
    SYSTEM,
  );
  return run.status === 'succeeded'
    ? 'Demo data: the ERP_Integration certificate is uploaded and "Contoso Ltd" is onboarded. Try onboarding "Fabrikam Inc" too.'
    : `Demo data: the certificate is uploaded; onboarding "Contoso Ltd" failed at ${run.steps.find((s) => s.status === 'failed')?.name ?? '?'}.`;
}
