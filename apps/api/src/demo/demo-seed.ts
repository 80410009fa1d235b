import { readFileSync } from 'node:fs';
import { CertificatesService } from '../certificates/certificates.service';
import type { RequestContext } from '../common/principal';
import { OrgsService } from '../orgs/orgs.service';
import type { RunningApi } from '../server';

/** What the demo seed needs to know of the emulator (structural, so the API does not depend on it). */
export interface DemoEmulator {
  discoveryUrl: string;
  /** The identity platform's demo tenant, the ISV's app and its Dataverse environment (absent: no Dataverse demo). */
  entra?: { tenantDomain: string; clientId: string; environmentUrl: string };
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
 * Loads the console's demo data on a first start: the emulator's demo certificate, "Contoso Ltd" (CRM 4.0)
 * onboarded with it, and "Contoso (Dataverse)", the emulator's Dataverse environment, whose ISV app has the same
 * certificate (Fabrikam Inc is left for the admin to try: it fails at the proxy-role step, by design). Returns a
 * one-line note for the start banner.
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
  const onboarded: string[] = [];
  const failed: string[] = [];
  const note = (name: string, run: { status: string; steps: Array<{ name: string; status: string }> }) => {
    if (run.status === 'succeeded') onboarded.push(`"${name}"`);
    else failed.push(`"${name}" at ${run.steps.find((s) => s.status === 'failed')?.name ?? '?'}`);
  };
  const crm = await orgs.create(
    { discoveryUrl: emulator.discoveryUrl, friendlyName: 'Contoso Ltd', certificateId: cert.id },
    SYSTEM,
  );
  note('Contoso Ltd', crm.run);
  if (emulator.entra) {
    const dataverse = await orgs.create(
      {
        kind: 'dataverse',
        tenant: emulator.entra.tenantDomain,
        environmentUrl: emulator.entra.environmentUrl,
        clientId: emulator.entra.clientId,
        friendlyName: 'Contoso (Dataverse)',
        certificateId: cert.id,
      },
      SYSTEM,
    );
    note('Contoso (Dataverse)', dataverse.run);
  }
  return [
    `Demo data: the ERP_Integration certificate is uploaded`,
    onboarded.length ? `; ${onboarded.join(' and ')} onboarded` : '',
    failed.length ? `; onboarding failed for ${failed.join(', ')}` : '',
    '. Try onboarding "Fabrikam Inc" too.',
  ].join('');
}
