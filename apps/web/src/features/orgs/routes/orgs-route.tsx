import { Button, Paper } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { Link } from 'react-router';
import { PageHeader } from '@/components/page-header';
import { EmptyState, ErrorState, LoadingState } from '@/components/query-state';
import { ReadOnlyNote } from '@/components/read-only-note';
import { useCanEdit } from '@/lib/session';
import { useOrgs } from '../api/get-orgs';
import { OrgsTable } from '../components/orgs-table';

export function OrgsRoute() {
  const orgs = useOrgs();
  const canEdit = useCanEdit();
  return (
    <>
      <PageHeader
        title="Orgs"
        description="Customer orgs, CRM 4.0 Online and Dataverse, that the ISV serves."
        actions={
          canEdit ? (
            <Button component={Link} to="/orgs/new" leftSection={<IconPlus size={16} aria-hidden />}>
              Onboard an org
            </Button>
          ) : (
            <ReadOnlyNote>Auditors cannot onboard orgs.</ReadOnlyNote>
          )
        }
      />
      <Paper withBorder radius="md">
        {orgs.isPending ? (
          <LoadingState label="Loading orgs…" />
        ) : orgs.isError ? (
          <ErrorState
            error={orgs.error}
            title="Could not load the orgs"
            onRetry={() => void orgs.refetch()}
            retrying={orgs.isFetching}
          />
        ) : orgs.data.items.length === 0 ? (
          <EmptyState title="No orgs yet">
            {canEdit
              ? 'Onboard a customer org to start making impersonated calls.'
              : 'An administrator has not onboarded any org yet.'}
          </EmptyState>
        ) : (
          <OrgsTable orgs={orgs.data.items} />
        )}
      </Paper>
    </>
  );
}
