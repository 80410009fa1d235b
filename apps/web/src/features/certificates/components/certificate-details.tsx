import { Anchor, Badge, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { CopyValue } from '@/components/copy-value';
import { EmptyState } from '@/components/query-state';
import type { Certificate } from '@/types/api';
import { formatDateTime, formatDays, formatDn } from '@/utils/format';
import { spacedHex } from '../utils/certificate-files';
import { ChainView } from './chain-view';
import { ProblemsList } from './problems-list';

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

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  const id = `cert-section-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby={id}>
      <Title order={2} size="h4" mb="sm" id={id}>
        {title}
      </Title>
      {children}
    </Paper>
  );
}

export function CertificateDetails({ certificate }: { certificate: Certificate }) {
  const orgs = certificate.orgs ?? [];
  return (
    <Stack gap="lg">
      <Section title="Validation report">
        <ProblemsList problems={certificate.problems} />
      </Section>

      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Section title="Certificate">
          <SimpleGrid cols={{ base: 1, sm: 2 }} component="dl" m={0} spacing="md">
            <Fact label="Subject">{formatDn(certificate.subject)}</Fact>
            <Fact label="Issuer">{formatDn(certificate.issuer)}</Fact>
            <Fact label="Service account Live ID">{certificate.serviceAccountLiveId}</Fact>
            <Fact label="Serial number">
              <Text span ff="monospace" size="sm">
                {certificate.serialNumber}
              </Text>
            </Fact>
            <Fact label="Valid from">{formatDateTime(certificate.notBefore)}</Fact>
            <Fact label="Expires">
              {formatDateTime(certificate.notAfter)} ({formatDays(certificate.daysToExpiry)})
            </Fact>
          </SimpleGrid>
        </Section>

        <Section title="Thumbprints">
          <Stack gap="md">
            <CopyValue label="SHA-1 (hex)" value={spacedHex(certificate.thumbprintSha1Hex)} />
            <CopyValue label="SHA-1 (base64)" value={certificate.thumbprintSha1Base64} />
            <CopyValue label="SHA-256 (hex)" value={spacedHex(certificate.thumbprintSha256)} />
          </Stack>
        </Section>
      </SimpleGrid>

      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Section title="Chain (leaf to root)">
          <ChainView chain={certificate.chain} />
        </Section>
        <Section title="Orgs that depend on it">
          {orgs.length === 0 ? (
            <EmptyState title="No org uses this certificate" />
          ) : (
            <Table aria-label="Orgs that depend on this certificate" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Org</Table.Th>
                  <Table.Th scope="col">Use</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {orgs.map((org) => (
                  <Table.Tr key={`${org.id}-${org.role}`}>
                    <Table.Td>
                      <Anchor component={Link} to={`/orgs/${org.id}`}>
                        {org.friendlyName}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={org.role === 'active' ? 'indigo' : 'yellow'}>
                        {org.role === 'active' ? 'Active' : 'Staged'}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Section>
      </SimpleGrid>
    </Stack>
  );
}
