import { Badge, Code, Group, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ConfirmButton } from '@/components/confirm-button';
import { ActionError } from '@/components/query-state';
import type { ApiKey } from '@/types/api';
import { formatDateTime } from '@/utils/format';
import { useRevokeApiKey } from '../api/revoke-api-key';
import { keyState, orgLabels } from '../utils/api-key-form';

const STATE_BADGE = {
  active: { color: 'green', label: 'Active' },
  expired: { color: 'orange', label: 'Expired' },
  revoked: { color: 'gray', label: 'Revoked' },
} as const;

function KeyRow({
  apiKey,
  orgNames,
  now,
}: {
  apiKey: ApiKey;
  orgNames: ReadonlyMap<string, string>;
  now: number;
}) {
  const revoke = useRevokeApiKey();
  const state = keyState(apiKey, now);
  return (
    <Table.Tr data-testid={`api-key-${apiKey.id}`}>
      <Table.Td>
        <Stack gap={2}>
          <Text size="sm" fw={500}>
            {apiKey.name}
          </Text>
          {apiKey.legacy && state !== 'revoked' && (
            <Badge
              size="xs"
              color="orange"
              variant="light"
              title="Created before scopes: it acts as an admin"
            >
              Legacy: replace
            </Badge>
          )}
        </Stack>
      </Table.Td>
      <Table.Td>
        <Code style={{ whiteSpace: 'nowrap' }}>{apiKey.prefix}…</Code>
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {apiKey.scopes.map((s) => (
            <Badge key={s} size="sm" variant="outline" color={s === 'admin' ? 'red' : 'indigo'}>
              {s}
            </Badge>
          ))}
        </Group>
      </Table.Td>
      <Table.Td>
        <Text size="sm">
          {apiKey.scopes.includes('admin')
            ? 'All'
            : apiKey.orgIds.length === 0
              ? '—'
              : orgLabels(apiKey, orgNames).join(', ')}
        </Text>
      </Table.Td>
      <Table.Td>{formatDateTime(apiKey.createdAt)}</Table.Td>
      <Table.Td>
        {apiKey.lastUsedAt ? (
          <Stack gap={0}>
            <Text size="sm">{formatDateTime(apiKey.lastUsedAt)}</Text>
            {apiKey.lastUsedIp && (
              <Text size="xs" c="dimmed">
                from {apiKey.lastUsedIp}
              </Text>
            )}
          </Stack>
        ) : (
          <Text size="sm" c="dimmed">
            Never
          </Text>
        )}
      </Table.Td>
      <Table.Td>{apiKey.expiresAt ? formatDateTime(apiKey.expiresAt) : 'Never'}</Table.Td>
      <Table.Td>
        <Badge color={STATE_BADGE[state].color} variant="light">
          {STATE_BADGE[state].label}
        </Badge>
      </Table.Td>
      <Table.Td>
        {state !== 'revoked' && (
          <ConfirmButton
            title={`Revoke ${apiKey.name}?`}
            message={`Requests with the key ${apiKey.prefix}… will be refused (at once here, within 10 s on other API instances). This cannot be undone.`}
            confirmLabel="Revoke"
            loading={revoke.isPending}
            onConfirm={() =>
              revoke.mutate(apiKey.id, {
                onSuccess: () =>
                  notifications.show({ color: 'green', title: 'Key revoked', message: apiKey.name }),
              })
            }
            aria-label={`Revoke ${apiKey.name}`}
          >
            Revoke
          </ConfirmButton>
        )}
        {revoke.isError && <ActionError error={revoke.error} />}
      </Table.Td>
    </Table.Tr>
  );
}

export function ApiKeysTable({ keys, orgs }: { keys: ApiKey[]; orgs: Array<{ id: string; name: string }> }) {
  const names = new Map(orgs.map((o) => [o.id, o.name]));
  const now = Date.now();
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table striped verticalSpacing="sm" aria-label="API keys">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">Prefix</Table.Th>
            <Table.Th scope="col">Scopes</Table.Th>
            <Table.Th scope="col">Orgs</Table.Th>
            <Table.Th scope="col">Created</Table.Th>
            <Table.Th scope="col">Last used</Table.Th>
            <Table.Th scope="col">Expires</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {keys.map((k) => (
            <KeyRow key={k.id} apiKey={k} orgNames={names} now={now} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
