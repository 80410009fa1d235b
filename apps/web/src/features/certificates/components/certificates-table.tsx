import { Anchor, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { CertificateStatusBadge } from '@/components/status-badges';
import type { Certificate } from '@/types/api';
import { formatDate, formatDays, formatDn } from '@/utils/format';
import { spacedHex } from '../utils/certificate-files';

export function CertificatesTable({ certificates }: { certificates: Certificate[] }) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped highlightOnHover verticalSpacing="sm" aria-label="Certificates">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">Service account</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Expires</Table.Th>
            <Table.Th scope="col">SHA-1 thumbprint</Table.Th>
            <Table.Th scope="col" ta="right">
              Problems
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {certificates.map((certificate) => (
            <Table.Tr key={certificate.id}>
              <Table.Td>
                <Stack gap={0}>
                  <Anchor component={Link} to={`/certificates/${certificate.id}`} fw={600}>
                    {certificate.name || formatDn(certificate.subject)}
                  </Anchor>
                  <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                    {formatDn(certificate.subject)}
                  </Text>
                </Stack>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{certificate.serviceAccountLiveId}</Text>
              </Table.Td>
              <Table.Td>
                <CertificateStatusBadge status={certificate.status} />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatDate(certificate.notAfter)}</Text>
                <Text size="xs" c="dimmed">
                  {formatDays(certificate.daysToExpiry)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="xs" ff="monospace">
                  {spacedHex(certificate.thumbprintSha1Hex)}
                </Text>
              </Table.Td>
              <Table.Td ta="right">{certificate.problems.length}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
