import { Code, SimpleGrid, Stack, Text } from '@mantine/core';
import type { Org } from '@/types/api';
import { formatDateTime } from '@/utils/format';

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Stack gap={2} style={{ minWidth: 0 }}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} component="dt">
        {label}
      </Text>
      <Text size="sm" component="dd" m={0} style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </Stack>
  );
}

/** How the console names an org's platform. */
export function platformLabel(kind: Org['kind']): string {
  return kind === 'dataverse' ? 'Dataverse (Entra ID)' : 'CRM 4.0 Online (Windows Live ID)';
}

/** What Onbehalf learned about the org during onboarding, for its platform. */
export function OrgFacts({ org }: { org: Org }) {
  if (org.kind === 'dataverse')
    return (
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} component="dl" m={0} spacing="md">
        <Fact label="Platform">{platformLabel(org.kind)}</Fact>
        <Fact label="Environment URL">{org.environmentUrl ?? '—'}</Fact>
        <Fact label="Tenant">{org.tenant ? <Code>{org.tenant}</Code> : '—'}</Fact>
        <Fact label="Application id">{org.clientId ? <Code>{org.clientId}</Code> : '—'}</Fact>
        <Fact label="Application user">{org.serviceAccount?.name ?? '—'}</Fact>
        <Fact label="Organization id">{org.organizationId ? <Code>{org.organizationId}</Code> : '—'}</Fact>
        <Fact label="Onboarded">{formatDateTime(org.createdAt)}</Fact>
      </SimpleGrid>
    );
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} component="dl" m={0} spacing="md">
      <Fact label="Platform">{platformLabel(org.kind)}</Fact>
      <Fact label="Unique name">{org.organizationName ? <Code>{org.organizationName}</Code> : '—'}</Fact>
      <Fact label="Organization id">{org.organizationId ? <Code>{org.organizationId}</Code> : '—'}</Fact>
      <Fact label="Service account">{org.serviceAccount?.name ?? '—'}</Fact>
      <Fact label="CrmService URL">{org.crmServiceUrl ?? '—'}</Fact>
      <Fact label="Discovery URL">{org.discoveryUrl ?? '—'}</Fact>
      <Fact label="Onboarded">{formatDateTime(org.createdAt)}</Fact>
    </SimpleGrid>
  );
}
