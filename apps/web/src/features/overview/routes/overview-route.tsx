import { Button, Paper } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { Link } from 'react-router';
import { PageHeader } from '@/components/page-header';
import { EmptyState, ErrorState, LoadingState } from '@/components/query-state';
import { useCanEdit } from '@/lib/session';
import { useOverview } from '../api/get-overview';
import { OverviewTable } from '../components/overview-table';
import { OverviewTotals } from '../components/overview-totals';

export function OverviewRoute() {
  const overview = useOverview();
  const canEdit = useCanEdit();
  return (
    <>
      <PageHeader
        title="Overview"
        description="Every customer org at a glance: its CRM ticket or access token, certificate expiry and recent failures. Orgs needing attention come first."
      />
      {overview.isPending ? (
        <LoadingState label="Loading the overview…" />
      ) : overview.isError ? (
        <ErrorState
          error={overview.error}
          title="Could not load the overview"
          onRetry={() => void overview.refetch()}
          retrying={overview.isFetching}
        />
      ) : (
        <>
          <OverviewTotals totals={overview.data.totals} />
          <Paper withBorder radius="md">
            {overview.data.orgs.length === 0 ? (
              <EmptyState
                title="No orgs yet"
                action={
                  canEdit && (
                    <Button component={Link} to="/orgs/new" leftSection={<IconPlus size={16} aria-hidden />}>
                      Onboard an org
                    </Button>
                  )
                }
              >
                Onboard a customer's CRM Online org to see its ticket health here.
              </EmptyState>
            ) : (
              <OverviewTable orgs={overview.data.orgs} />
            )}
          </Paper>
        </>
      )}
    </>
  );
}
