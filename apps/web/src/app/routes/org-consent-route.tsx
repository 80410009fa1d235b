import { Alert, Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { IconCircleCheck, IconPlayerPlay } from '@tabler/icons-react';
import { Link, useSearchParams } from 'react-router';
import { ActionError } from '@/components/query-state';
import { PageHeader } from '@/components/page-header';
import { useRerunOnboarding } from '@/features/orgs/api/rerun-onboarding';
import { readConsentResult } from '@/features/orgs/utils/admin-consent';
import { useCanEdit } from '@/lib/session';

/**
 * Where the identity platform's admin-consent page sends the customer's administrator back (the onboarding hint of
 * AADSTS700016 links to it): what they answered, and the org's onboarding run again.
 */
export function OrgConsentRoute() {
  const [params] = useSearchParams();
  const result = readConsentResult(params);
  const canEdit = useCanEdit();
  const rerun = useRerunOnboarding();
  const orgLink = result.orgId ? `/orgs/${result.orgId}` : '/orgs';
  return (
    <>
      <PageHeader
        title="Admin consent"
        description="The answer of the customer’s administrator to the ISV app."
      />
      <Stack gap="md" maw={760}>
        {result.kind === 'granted' && (
          <Alert color="green" icon={<IconCircleCheck aria-hidden />} title="Admin consent granted">
            The administrator consented to the app
            {result.tenant ? ` in the tenant ${result.tenant}` : ''}. Its token requests are now accepted: run
            the org’s onboarding again.
          </Alert>
        )}
        {result.kind === 'refused' && (
          <Alert color="red" title="Admin consent was not granted">
            <Text size="sm">
              The identity platform answered {result.error}
              {result.description ? `: ${result.description}` : ''}.
            </Text>
            <Text size="sm">Ask an administrator of the customer’s tenant to accept the permissions.</Text>
          </Alert>
        )}
        {result.kind === 'unknown' && (
          <Alert color="gray" title="No answer to read">
            This page shows the answer of the admin-consent page; open it from the onboarding step’s hint.
          </Alert>
        )}
        <ActionError error={rerun.error} title="Could not run the onboarding" />
        {rerun.data && (
          <Alert color={rerun.data.run.status === 'succeeded' ? 'green' : 'orange'} role="status">
            Onboarding {rerun.data.run.status === 'succeeded' ? 'succeeded' : 'failed'}.{' '}
            <Anchor component={Link} to={orgLink}>
              Open {rerun.data.org.friendlyName}
            </Anchor>
          </Alert>
        )}
        <Group>
          {result.kind === 'granted' && result.orgId && canEdit && !rerun.data && (
            <Button
              leftSection={<IconPlayerPlay size={16} aria-hidden />}
              loading={rerun.isPending}
              onClick={() => rerun.mutate(result.orgId!)}
            >
              Run onboarding again
            </Button>
          )}
          <Anchor component={Link} to={orgLink} size="sm">
            {result.orgId ? 'Back to the org' : 'Back to orgs'}
          </Anchor>
        </Group>
      </Stack>
    </>
  );
}
