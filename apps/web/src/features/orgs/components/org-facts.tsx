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

/** What Onbehalf learned about the org during onboarding. */
export function OrgFacts({ org }: { org: Org }) {
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} component="dl" m={0} spacing="md">
      <Fact label="Unique name">{org.organizationName ? <Code>{org.organizationName}</Code> : '—'}</Fact>
      <Fact label="Organization id">{org.organizationId ? <Code>{org.organizationId}</Code> : '—'}</Fact>
      <Fact label="Service account">{org.serviceAccount?.name ?? '—'}</Fact>
      <Fact label="CrmService URL">{org.crmServiceUrl ?? '—'}</Fact>
      <Fact label="Discovery URL">{org.discoveryUrl}</Fact>
      <Fact label="Onboarded">{formatDateTime(org.createdAt)}</Fact>
    </SimpleGrid>
  );
}
