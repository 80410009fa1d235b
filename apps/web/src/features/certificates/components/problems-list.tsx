import { Alert, Badge, Table, Text, type MantineColor } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import type { CertificateProblem } from '@/types/api';

const SEVERITY: Record<string, MantineColor> = { error: 'red', warning: 'yellow', info: 'blue' };

/** The validation report: every problem found, not only the first. */
export function ProblemsList({
  problems,
  label = 'Validation report',
}: {
  problems: CertificateProblem[];
  label?: string;
}) {
  if (problems.length === 0) {
    return (
      <Alert color="green" variant="light" icon={<IconCircleCheck aria-hidden />} p="sm">
        <Text size="sm">No problems found.</Text>
      </Alert>
    );
  }
  const order = (s: string) => (s === 'error' ? 0 : s === 'warning' ? 1 : 2);
  const sorted = [...problems].sort((a, b) => order(a.severity) - order(b.severity));
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table verticalSpacing="xs" aria-label={label} withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Severity</Table.Th>
            <Table.Th scope="col">Code</Table.Th>
            <Table.Th scope="col">Message</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sorted.map((problem, index) => (
            <Table.Tr key={`${problem.code}-${index}`}>
              <Table.Td>
                <Badge color={SEVERITY[problem.severity] ?? 'gray'} variant="light">
                  {problem.severity}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="xs" ff="monospace">
                  {problem.code}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{problem.message}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
