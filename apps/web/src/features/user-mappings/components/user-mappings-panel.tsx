import { Alert, Badge, Button, Code, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { ConfirmButton } from '@/components/confirm-button';
import { ActionError, EmptyState, ErrorState, LoadingState } from '@/components/query-state';
import { ReadOnlyNote } from '@/components/read-only-note';
import type { UserMapping } from '@/types/api';
import { formatDateTime } from '@/utils/format';
import { useEvictUserMapping } from '../api/evict-user-mapping';
import { useResolveUserMapping } from '../api/resolve-user-mapping';
import { useUserMappings } from '../api/get-user-mappings';
import { normalizePuid, puidError } from './puid';

function ResolveForm({ orgId }: { orgId: string }) {
  const [puid, setPuid] = useState('');
  const [error, setError] = useState<string | null>(null);
  const resolve = useResolveUserMapping();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const problem = puidError(puid);
    setError(problem);
    if (problem) return;
    resolve.mutate({ orgId, puid: normalizePuid(puid) });
  };

  const result = resolve.data;
  return (
    <Stack gap="xs">
      <form onSubmit={onSubmit} noValidate>
        <Group align="flex-start" gap="sm" wrap="wrap">
          <TextInput
            label="PUID"
            description="The Windows Live user's HexPUID (16 hex digits)"
            value={puid}
            onChange={(e) => setPuid(e.currentTarget.value)}
            error={error}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            autoComplete="off"
            spellCheck={false}
            miw={260}
          />
          <Button
            type="submit"
            mt={{ base: 0, xs: 44 }}
            loading={resolve.isPending}
            leftSection={<IconSearch size={16} aria-hidden />}
          >
            Resolve
          </Button>
        </Group>
      </form>
      <ActionError error={resolve.error} title="Could not resolve the PUID" />
      {result && !resolve.isPending && (
        <Alert color={result.status === 'found' ? 'green' : 'yellow'} variant="light" role="status" p="sm">
          {result.status === 'found' ? (
            <Text size="sm">
              <Code>{result.puid}</Code> is <strong>{result.fullName ?? 'a CRM user'}</strong> (systemuserid{' '}
              <Code>{result.systemUserId}</Code>).
            </Text>
          ) : (
            <Text size="sm">
              <Code>{result.puid}</Code> has no CRM user in this org. The negative answer is cached until{' '}
              {formatDateTime(result.expiresAt)}.
            </Text>
          )}
        </Alert>
      )}
    </Stack>
  );
}

function MappingRow({ mapping, orgId, canEdit }: { mapping: UserMapping; orgId: string; canEdit: boolean }) {
  const evict = useEvictUserMapping();
  return (
    <Table.Tr>
      <Table.Td>
        <Code>{mapping.puid}</Code>
      </Table.Td>
      <Table.Td>{mapping.fullName ?? '—'}</Table.Td>
      <Table.Td>
        {mapping.systemUserId ? (
          <Text size="xs" ff="monospace">
            {mapping.systemUserId}
          </Text>
        ) : (
          '—'
        )}
      </Table.Td>
      <Table.Td>
        <Badge color={mapping.status === 'found' ? 'green' : 'gray'} variant="light">
          {mapping.status === 'found' ? 'Found' : 'Not found'}
        </Badge>
      </Table.Td>
      <Table.Td>{formatDateTime(mapping.verifiedAt)}</Table.Td>
      <Table.Td>{formatDateTime(mapping.expiresAt)}</Table.Td>
      <Table.Td ta="right">
        {mapping.hits} / {mapping.misses}
      </Table.Td>
      {canEdit && (
        <Table.Td>
          <ConfirmButton
            title="Evict this mapping?"
            message={`The next call for ${mapping.fullName ?? mapping.puid} will look the user up in CRM again.`}
            confirmLabel="Evict"
            loading={evict.isPending}
            onConfirm={() => evict.mutate({ orgId, puid: mapping.puid })}
            aria-label={`Evict ${mapping.fullName ?? mapping.puid}`}
          >
            Evict
          </ConfirmButton>
          {evict.isError && <ActionError error={evict.error} />}
        </Table.Td>
      )}
    </Table.Tr>
  );
}

/** The org's PUID → CRM user cache: resolve a PUID by hand, evict a stale entry. */
export function UserMappingsPanel({ orgId, canEdit }: { orgId: string; canEdit: boolean }) {
  const mappings = useUserMappings(orgId);
  return (
    <Stack gap="md">
      {canEdit ? (
        <ResolveForm orgId={orgId} />
      ) : (
        <ReadOnlyNote>Auditors cannot resolve or evict mappings.</ReadOnlyNote>
      )}
      {mappings.isPending ? (
        <LoadingState label="Loading user mappings…" />
      ) : mappings.isError ? (
        <ErrorState
          error={mappings.error}
          title="Could not load user mappings"
          onRetry={() => void mappings.refetch()}
          retrying={mappings.isFetching}
        />
      ) : (
        <>
          <Text size="sm" c="dimmed">
            {mappings.data.stats.entries} cached {mappings.data.stats.entries === 1 ? 'entry' : 'entries'} ·{' '}
            {mappings.data.stats.hits} hits · {mappings.data.stats.misses} misses
          </Text>
          {mappings.data.items.length === 0 ? (
            <EmptyState title="No user mappings yet">
              Mappings appear when a call is made on behalf of a Windows Live user.
            </EmptyState>
          ) : (
            <Table.ScrollContainer minWidth={860}>
              <Table striped verticalSpacing="xs" aria-label="User mappings">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">PUID</Table.Th>
                    <Table.Th scope="col">CRM user</Table.Th>
                    <Table.Th scope="col">systemuserid</Table.Th>
                    <Table.Th scope="col">Status</Table.Th>
                    <Table.Th scope="col">Verified</Table.Th>
                    <Table.Th scope="col">Expires</Table.Th>
                    <Table.Th scope="col" ta="right">
                      Hits / misses
                    </Table.Th>
                    {canEdit && <Table.Th scope="col">Actions</Table.Th>}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {mappings.data.items.map((mapping) => (
                    <MappingRow key={mapping.puid} mapping={mapping} orgId={orgId} canEdit={canEdit} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </>
      )}
    </Stack>
  );
}
