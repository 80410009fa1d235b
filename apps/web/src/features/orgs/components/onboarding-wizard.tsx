import {
  Button,
  Group,
  NativeSelect,
  Paper,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconArrowRight, IconPlayerPlay } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ActionError } from '@/components/query-state';
import { errorMessage } from '@/lib/error-messages';
import { useNow } from '@/hooks/use-now';
import { formatSpan } from '@/utils/format';
import { useCreateOrg } from '../api/create-org';
import type { CertificateOption } from '../types';
import {
  DEFAULT_DATAVERSE,
  DEFAULT_DISCOVERY_URL,
  toCreateOrgInput,
  validateOnboardingForm,
  type OnboardingFormErrors,
  type OnboardingFormValues,
  type OrgKind,
} from './onboarding-form-model';
import { OnboardingRunPanel } from './onboarding-run-panel';
import { placeholderSteps } from './onboarding-steps-model';
import { OnboardingSteps } from './onboarding-steps';

function Elapsed({ since }: { since: number }) {
  const now = useNow(1_000);
  return <>{formatSpan(now - since)}</>;
}

/**
 * The onboarding wizard, for either platform: CRM 4.0 Online (discovery URL, friendly name, certificate) or
 * Dataverse (tenant, environment URL, application id, certificate); then every step of that platform's flow with
 * its status and duration. The certificate list comes from the page (the certificates feature), as plain options.
 */
export function OnboardingWizard({
  certificateOptions,
  certificatesError,
}: {
  certificateOptions: CertificateOption[] | undefined;
  certificatesError: unknown;
}) {
  const [values, setValues] = useState<OnboardingFormValues>({
    kind: 'crm4',
    discoveryUrl: DEFAULT_DISCOVERY_URL,
    friendlyName: '',
    certificateId: '',
    ...DEFAULT_DATAVERSE,
  });
  const [errors, setErrors] = useState<OnboardingFormErrors>({});
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const create = useCreateOrg();
  const result = create.data;
  const locked = create.isPending || result !== undefined;

  const set = (field: keyof OnboardingFormValues) => (value: string) =>
    setValues((v) => ({ ...v, [field]: value }));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const found = validateOnboardingForm(values);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      const first = Object.keys(found)[0];
      document.getElementById(`onboard-${first}`)?.focus();
      return;
    }
    setStartedAt(Date.now());
    create.mutate(toCreateOrgInput(values));
  };

  const startOver = () => {
    create.reset();
    setValues((v) => ({ ...v, friendlyName: '' }));
    setStartedAt(null);
  };

  const noCertificates = certificateOptions !== undefined && certificateOptions.length === 0;
  const certificateHint = certificatesError
    ? `Could not load certificates: ${errorMessage(certificatesError)}`
    : certificateOptions === undefined
      ? 'Loading certificates…'
      : noCertificates
        ? 'No certificate yet: upload the service account’s certificate first.'
        : values.kind === 'dataverse'
          ? 'The certificate registered on the ISV app (its client credential with Entra ID).'
          : 'The certificate the service account signs in to Windows Live with.';
  const dataverse = values.kind === 'dataverse';

  return (
    <Stack gap="lg">
      <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="onboard-form-title">
        <Title order={2} size="h4" id="onboard-form-title" mb="md">
          1. The customer’s {dataverse ? 'Dataverse environment' : 'CRM Online org'}
        </Title>
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            <SegmentedControl
              aria-label="Platform"
              value={values.kind}
              onChange={(kind) => {
                setValues((v) => ({ ...v, kind: kind as OrgKind }));
                setErrors({});
              }}
              disabled={locked}
              data={[
                { value: 'crm4', label: 'CRM 4.0 Online (Windows Live ID)' },
                { value: 'dataverse', label: 'Dynamics 365 / Dataverse (Entra ID)' },
              ]}
            />
            {dataverse ? (
              <>
                <TextInput
                  id="onboard-tenant"
                  label="Tenant"
                  description="The customer’s Microsoft Entra tenant: its id or its domain."
                  required
                  value={values.tenant}
                  onChange={(e) => set('tenant')(e.currentTarget.value)}
                  error={errors.tenant}
                  disabled={locked}
                  autoComplete="off"
                />
                <TextInput
                  id="onboard-environmentUrl"
                  label="Environment URL"
                  description="The Dataverse environment, e.g. https://contoso.crm.dynamics.com."
                  required
                  value={values.environmentUrl}
                  onChange={(e) => set('environmentUrl')(e.currentTarget.value)}
                  error={errors.environmentUrl}
                  disabled={locked}
                  inputMode="url"
                />
                <TextInput
                  id="onboard-clientId"
                  label="Application (client) id"
                  description="The ISV app registration the customer consented to; its application user acts on behalf of their users."
                  required
                  value={values.clientId}
                  onChange={(e) => set('clientId')(e.currentTarget.value)}
                  error={errors.clientId}
                  disabled={locked}
                  autoComplete="off"
                />
              </>
            ) : (
              <TextInput
                id="onboard-discoveryUrl"
                label="Discovery service URL"
                description="CRM Online’s Passport discovery endpoint (CrmDiscoveryService.asmx)."
                required
                value={values.discoveryUrl}
                onChange={(e) => set('discoveryUrl')(e.currentTarget.value)}
                error={errors.discoveryUrl}
                disabled={locked}
                inputMode="url"
              />
            )}
            <TextInput
              id="onboard-friendlyName"
              label={dataverse ? 'Name' : 'Friendly name'}
              description={
                dataverse
                  ? 'How the console names this environment.'
                  : 'The org’s FriendlyName in CRM; Onbehalf finds its unique name from it.'
              }
              required
              value={values.friendlyName}
              onChange={(e) => set('friendlyName')(e.currentTarget.value)}
              error={errors.friendlyName}
              disabled={locked}
              autoComplete="off"
            />
            <NativeSelect
              id="onboard-certificateId"
              label="Certificate"
              description={certificateHint}
              required
              value={values.certificateId}
              onChange={(e) => set('certificateId')(e.currentTarget.value)}
              error={errors.certificateId}
              disabled={locked || certificateOptions === undefined}
              data={[{ value: '', label: 'Choose a certificate…' }, ...(certificateOptions ?? [])]}
            />
            {noCertificates && (
              <Text size="sm">
                <Link to="/certificates/new">Upload a certificate</Link>
              </Text>
            )}
            <ActionError error={create.error} title="Could not start onboarding" />
            <Group>
              {!result && (
                <Button
                  type="submit"
                  loading={create.isPending}
                  leftSection={<IconPlayerPlay size={16} aria-hidden />}
                >
                  Start onboarding
                </Button>
              )}
              {result && (
                <Button variant="default" onClick={startOver}>
                  Onboard another org
                </Button>
              )}
            </Group>
          </Stack>
        </form>
      </Paper>

      {(create.isPending || result) && (
        <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="onboard-steps-title">
          <Group justify="space-between" mb="md">
            <Title order={2} size="h4" id="onboard-steps-title">
              2. The onboarding flow
            </Title>
            {result && (
              <Button
                component={Link}
                to={`/orgs/${result.org.id}`}
                variant="light"
                rightSection={<IconArrowRight size={16} aria-hidden />}
              >
                Open {result.org.friendlyName}
              </Button>
            )}
          </Group>
          {create.isPending ? (
            <Stack gap="sm">
              <Text size="sm" fw={600} role="status" aria-live="polite">
                Running the onboarding flow… {startedAt !== null && <Elapsed since={startedAt} />}
              </Text>
              <OnboardingSteps steps={placeholderSteps(values.kind)} />
            </Stack>
          ) : (
            result && <OnboardingRunPanel orgId={result.org.id} run={result.run} canEdit focusOnChange />
          )}
        </Paper>
      )}
    </Stack>
  );
}
