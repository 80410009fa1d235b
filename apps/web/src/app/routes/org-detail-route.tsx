import { Anchor, Group, Paper, Stack, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { PageHeader } from '@/components/page-header';
import { ErrorState, LoadingState } from '@/components/query-state';
import { BreakerBadge, OrgStatusBadge } from '@/components/status-badges';
import { useCanEdit } from '@/lib/session';
import { OrgRecentCalls } from '@/features/audit/components/org-recent-calls';
import { useCertificates } from '@/features/certificates/api/get-certificates';
import { certificatesKeys } from '@/features/certificates/keys';
import { useOrg } from '@/features/orgs/api/get-org';
import { CertificateRotation } from '@/features/orgs/components/certificate-rotation';
import { LedgerChainCard } from '@/features/orgs/components/ledger-chain-card';
import { OnboardingRunPanel } from '@/features/orgs/components/onboarding-run-panel';
import { OrgFacts } from '@/features/orgs/components/org-facts';
import { TicketHealthPanel } from '@/features/tickets/components/ticket-health-panel';
import { UserMappingsPanel } from '@/features/user-mappings/components/user-mappings-panel';
import { toCertificateOptions } from './certificate-options';

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby={id}>
      <Title order={2} size="h4" mb="md" id={id}>
        {title}
      </Title>
      {children}
    </Paper>
  );
}

/** One org, composed from the orgs, tickets, user-mappings, audit and certificates features. */
export function OrgDetailRoute() {
  const { orgId = '' } = useParams();
  const org = useOrg(orgId);
  const canEdit = useCanEdit();
  const certificates = useCertificates();
  const queryClient = useQueryClient();
  const certificateOptions = toCertificateOptions(certificates.data?.items);

  if (org.isPending) {
    return (
      <>
        <PageHeader title="Org" />
        <LoadingState label="Loading the org…" />
      </>
    );
  }
  if (org.isError) {
    return (
      <>
        <PageHeader
          title="Org"
          description={
            <Anchor component={Link} to="/orgs" size="sm">
              All orgs
            </Anchor>
          }
        />
        <ErrorState
          error={org.error}
          title="Could not load this org"
          onRetry={() => void org.refetch()}
          retrying={org.isFetching}
        />
      </>
    );
  }

  const data = org.data;
  return (
    <>
      <PageHeader
        title={data.friendlyName}
        description={
          <Group gap="xs" component="span">
            <OrgStatusBadge status={data.status} />
            <BreakerBadge state={data.breaker} />
            <Anchor component={Link} to="/orgs" size="sm">
              All orgs
            </Anchor>
          </Group>
        }
      />
      <Stack gap="lg">
        <Section id="org-facts" title="Organization">
          <OrgFacts org={data} />
        </Section>
        <Section id="org-ticket" title="Ticket health">
          <TicketHealthPanel orgId={data.id} canEdit={canEdit} kind={data.kind} />
        </Section>
        <Section id="org-onboarding" title="Onboarding">
          <OnboardingRunPanel orgId={data.id} run={data.lastRun} canEdit={canEdit} />
        </Section>
        {/* PUID → user mappings are Windows Live's: a Dataverse org names its users by Entra object id. */}
        {data.kind !== 'dataverse' && (
          <Section id="org-mappings" title="User mappings">
            <UserMappingsPanel orgId={data.id} canEdit={canEdit} />
          </Section>
        )}
        <Section id="org-calls" title="Recent calls">
          <OrgRecentCalls orgId={data.id} canEdit={canEdit} />
        </Section>
        <Section id="org-ledger-chain" title="Ledger chain">
          <LedgerChainCard orgId={data.id} />
        </Section>
        <Section id="org-certificate" title="Certificate rotation">
          <CertificateRotation
            org={data}
            canEdit={canEdit}
            certificateOptions={certificateOptions}
            onChanged={() => void queryClient.invalidateQueries({ queryKey: certificatesKeys.all })}
          />
        </Section>
      </Stack>
    </>
  );
}
