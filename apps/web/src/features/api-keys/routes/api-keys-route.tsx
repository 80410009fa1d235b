import { Alert, Paper, Stack } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState } from 'react';
import { PageHeader } from '@/components/page-header';
import { EmptyState, ErrorState, LoadingState } from '@/components/query-state';
import type { CreatedApiKey } from '@/types/api';
import { useApiKeys } from '../api/get-api-keys';
import { useOrgChoices } from '../api/get-org-choices';
import { ApiKeysTable } from '../components/api-keys-table';
import { CreateApiKeyForm } from '../components/create-api-key-form';
import { NewKeyReveal } from '../components/new-key-reveal';

export function ApiKeysRoute() {
  const keys = useApiKeys();
  const orgs = useOrgChoices();
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const legacy = keys.data?.items.filter((k) => k.legacy && !k.revokedAt) ?? [];
  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys for machine callers (Authorization: Bearer …). Each key may do only what its scopes allow."
      />
      <Stack gap="lg">
        {created && <NewKeyReveal created={created} onDone={() => setCreated(null)} />}
        {legacy.length > 0 && (
          <Alert
            color="orange"
            variant="light"
            icon={<IconAlertTriangle aria-hidden />}
            title={`${legacy.length} ${legacy.length === 1 ? 'key was' : 'keys were'} created before scopes and ${legacy.length === 1 ? 'acts' : 'act'} as an admin`}
          >
            Replace {legacy.length === 1 ? 'it' : 'them'} with scoped keys: create a key with only the scopes
            the integration needs, switch the integration to it, then revoke the old key.
          </Alert>
        )}
        <Paper withBorder radius="md">
          {keys.isPending ? (
            <LoadingState label="Loading API keys…" />
          ) : keys.isError ? (
            <ErrorState
              error={keys.error}
              title="Could not load the API keys"
              onRetry={() => void keys.refetch()}
              retrying={keys.isFetching}
            />
          ) : keys.data.items.length === 0 ? (
            <EmptyState title="No API keys">
              Create a key below for an integration or a metrics scraper.
            </EmptyState>
          ) : (
            <ApiKeysTable keys={keys.data.items} orgs={orgs.data ?? []} />
          )}
        </Paper>
        <CreateApiKeyForm orgs={orgs.data ?? []} orgsLoading={orgs.isPending} onCreated={setCreated} />
      </Stack>
    </>
  );
}
