import { Badge, Group, Paper, Stack, Text } from '@mantine/core';
import { IconArrowDown } from '@tabler/icons-react';
import type { ChainEntry } from '@/types/api';
import { formatDate, formatDn } from '@/utils/format';
import { spacedHex } from '../utils/certificate-files';

/** The chain drawn from the leaf (the service account's certificate) down to the root. */
export function ChainView({ chain }: { chain: ChainEntry[] }) {
  if (chain.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No chain could be built.
      </Text>
    );
  }
  return (
    <Stack
      gap={0}
      component="ol"
      aria-label="Certificate chain, leaf to root"
      p={0}
      m={0}
      style={{ listStyle: 'none' }}
    >
      {chain.map((entry, index) => (
        <li key={`${entry.thumbprintSha1Hex}-${index}`}>
          {index > 0 && (
            <Group justify="center" gap={4} py={2}>
              <IconArrowDown size={16} color="var(--mantine-color-dimmed)" aria-hidden />
              <Text size="xs" c="dimmed">
                issued by
              </Text>
            </Group>
          )}
          <Paper withBorder p="sm" radius="md">
            <Group justify="space-between" wrap="wrap" gap="xs">
              <Text fw={600} size="sm" style={{ overflowWrap: 'anywhere' }}>
                {formatDn(entry.subject)}
              </Text>
              <Group gap={4}>
                {index === 0 && <Badge variant="light">Leaf</Badge>}
                {index > 0 && !entry.isRoot && (
                  <Badge variant="light" color="gray">
                    Intermediate
                  </Badge>
                )}
                {entry.isRoot && (
                  <Badge variant="light" color="grape">
                    Root
                  </Badge>
                )}
                {entry.isRoot &&
                  (entry.isPinned ? (
                    <Badge variant="light" color="green">
                      Supported root
                    </Badge>
                  ) : (
                    <Badge variant="filled" color="red">
                      Root not supported
                    </Badge>
                  ))}
              </Group>
            </Group>
            <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
              Issuer: {formatDn(entry.issuer)}
            </Text>
            <Text size="xs" c="dimmed">
              Valid {formatDate(entry.notBefore)} → {formatDate(entry.notAfter)}
            </Text>
            <Text size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
              SHA-1 {spacedHex(entry.thumbprintSha1Hex)}
            </Text>
          </Paper>
        </li>
      ))}
    </Stack>
  );
}
