import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  NativeSelect,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconBrandWindows, IconLogout, IconPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ActionError, ErrorState, LoadingState } from '@/components/query-state';
import { ReadOnlyNote } from '@/components/read-only-note';
import { apiUrl } from '@/lib/api-client';
import type { EndUser, EndUserCreateResponse } from '@/types/api';
import { formatDateTime } from '@/utils/format';
import { useCreateRecordAsEndUser } from '../api/create-record-as-end-user';
import { useEndUserLogout } from '../api/end-user-logout';
import { useEndUser } from '../api/get-end-user';
import { endUserName, stampId, stampName } from '../utils/end-user-format';

export interface OrgOption {
  value: string;
  label: string;
}

const STAMPS = ['createdby', 'createdonbehalfby', 'modifiedby', 'modifiedonbehalfby', 'ownerid'] as const;

function Step({ n, title, children }: { n: number; title: string; children: React.ReactNode }) {
  const id = `end-user-step-${n}`;
  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby={id}>
      <Title order={2} size="h4" mb="sm" id={id}>
        {n}. {title}
      </Title>
      {children}
    </Paper>
  );
}

function SignedIn({ user, orgLabel }: { user: EndUser; orgLabel: string }) {
  const logout = useEndUserLogout();
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} component="dl" m={0}>
        <div>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600} component="dt">
            Signed in as
          </Text>
          <Text component="dd" m={0} fw={600} data-testid="end-user-name">
            {endUserName(user)}
          </Text>
        </div>
        <div>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600} component="dt">
            Live ID
          </Text>
          <Text component="dd" m={0} size="sm">
            {user.liveId}
          </Text>
        </div>
        <div>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600} component="dt">
            PUID
          </Text>
          <Text component="dd" m={0} size="sm" ff="monospace">
            {user.puid}
          </Text>
        </div>
        <div>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600} component="dt">
            Org · until
          </Text>
          <Text component="dd" m={0} size="sm">
            {orgLabel} · {formatDateTime(new Date(user.expiresAt).toISOString())}
          </Text>
        </div>
      </SimpleGrid>
      <Group>
        <Button
          variant="default"
          size="xs"
          leftSection={<IconLogout size={14} aria-hidden />}
          onClick={() => logout.mutate()}
          loading={logout.isPending}
        >
          Sign out end user
        </Button>
      </Group>
      <ActionError error={logout.error} title="Could not sign the end user out" />
    </Stack>
  );
}

function Stamps({ result, user, orgId }: { result: EndUserCreateResponse; user: EndUser; orgId: string }) {
  const stamps = result.stamps;
  const auditLink = (
    <Anchor component={Link} to={`/audit?orgId=${encodeURIComponent(orgId)}&entity=account`}>
      See it in the audit
    </Anchor>
  );
  if (!stamps)
    return (
      <Alert color="yellow" variant="light" p="sm" title="Account created" role="status" aria-live="polite">
        <Text size="sm">
          Record <Code>{result.id}</Code>. CRM&apos;s stamps on it could not be read back; reconciliation will
          check them. {auditLink}
        </Text>
      </Alert>
    );
  const createdBy = stampName(stamps.createdby);
  const onBehalf = stampName(stamps.createdonbehalfby);
  return (
    <Stack gap="sm" role="status" aria-live="polite">
      <Alert color="green" variant="light" p="sm" title="Account created">
        <Text size="sm">
          CRM recorded <strong>{createdBy}</strong> as createdby and <strong>{onBehalf}</strong> as
          createdonbehalfby: the service account acted on behalf of {endUserName(user)}.
        </Text>
      </Alert>
      <Table withTableBorder verticalSpacing="xs" aria-label="Stamps recorded by CRM" maw={720}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Attribute</Table.Th>
            <Table.Th scope="col">Value</Table.Th>
            <Table.Th scope="col">Id</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {STAMPS.map((key) => (
            <Table.Tr key={key}>
              <Table.Th scope="row" fw={500}>
                <Code>{key}</Code>
              </Table.Th>
              <Table.Td>{stampName(stamps[key])}</Table.Td>
              <Table.Td>
                <Text size="xs" ff="monospace">
                  {stampId(stamps[key]) ?? '—'}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="sm">
        Record <Code>{result.id}</Code>. {auditLink}
      </Text>
    </Stack>
  );
}

function CreateAccountForm({ user, canEdit }: { user: EndUser; canEdit: boolean }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const create = useCreateRecordAsEndUser();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setError('Enter a name for the account');
      return;
    }
    setError(null);
    create.mutate({ entity: 'account', attributes: { name: name.trim() } });
  };
  if (!canEdit) return <ReadOnlyNote>Auditors cannot create records in CRM.</ReadOnlyNote>;
  return (
    <Stack gap="md">
      <form onSubmit={onSubmit} noValidate>
        <Group align="flex-start" gap="sm" wrap="wrap">
          <TextInput
            label="Account name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={error}
            miw={280}
            autoComplete="off"
          />
          <Button
            type="submit"
            mt={25}
            loading={create.isPending}
            leftSection={<IconPlus size={16} aria-hidden />}
          >
            Create account
          </Button>
        </Group>
      </form>
      <ActionError error={create.error} title="CRM refused the account" />
      {create.data && <Stamps result={create.data} user={user} orgId={user.orgId} />}
    </Stack>
  );
}

/**
 * The whole end-user path: pick an org, sign in with Windows Live (the emulator's RPS page), then create an account
 * on that user's behalf and read back the stamps CRM recorded.
 */
export function EndUserTester({
  orgId,
  onOrgChange,
  orgOptions,
  canEdit,
}: {
  orgId: string;
  onOrgChange: (orgId: string) => void;
  orgOptions: OrgOption[] | undefined;
  canEdit: boolean;
}) {
  const endUser = useEndUser();
  const orgLabel = (id: string) => orgOptions?.find((o) => o.value === id)?.label ?? id;
  const user = endUser.data ?? null;

  return (
    <Stack gap="lg">
      <Step n={1} title="Sign in as an end user">
        <Stack gap="sm">
          <Group align="flex-end" gap="sm" wrap="wrap">
            <NativeSelect
              label="Org"
              value={orgId}
              onChange={(e) => onOrgChange(e.currentTarget.value)}
              data={[
                { value: '', label: orgOptions === undefined ? 'Loading orgs…' : 'Choose an org…' },
                ...(orgOptions ?? []),
              ]}
              miw={260}
            />
            {orgId ? (
              <Button
                component="a"
                href={apiUrl('/rps/login', { orgId })}
                leftSection={<IconBrandWindows size={16} aria-hidden />}
              >
                Sign in with Windows Live
              </Button>
            ) : (
              <Button disabled leftSection={<IconBrandWindows size={16} aria-hidden />}>
                Sign in with Windows Live
              </Button>
            )}
          </Group>
          {!orgId && (
            <Text size="sm" c="dimmed">
              Choose an org first: the sign-in returns here for that org.
            </Text>
          )}
          {orgOptions !== undefined && orgOptions.length === 0 && (
            <Text size="sm" c="dimmed">
              No active org yet. <Link to="/orgs">Onboard one</Link> first.
            </Text>
          )}
        </Stack>
      </Step>

      <Step n={2} title="Who is signed in">
        {endUser.isPending ? (
          <LoadingState label="Checking the Windows Live sign-in…" />
        ) : endUser.isError ? (
          <ErrorState
            error={endUser.error}
            title="Could not check the end-user sign-in"
            onRetry={() => void endUser.refetch()}
            retrying={endUser.isFetching}
          />
        ) : user ? (
          <Stack gap="xs">
            <SignedIn user={user} orgLabel={orgLabel(user.orgId)} />
            {orgId && user.orgId !== orgId && (
              <Alert color="yellow" variant="light" p="sm">
                This end user signed in for {orgLabel(user.orgId)}, not {orgLabel(orgId)}. Sign in again to
                test the chosen org.
              </Alert>
            )}
          </Stack>
        ) : (
          <Group gap="xs">
            <Badge color="gray" variant="light">
              Not signed in
            </Badge>
            <Text size="sm" c="dimmed">
              No end user is signed in with Windows Live in this browser.
            </Text>
          </Group>
        )}
      </Step>

      <Step n={3} title="Create an account on their behalf">
        {user ? (
          <CreateAccountForm user={user} canEdit={canEdit} />
        ) : (
          <Text size="sm" c="dimmed">
            Sign in as an end user first.
          </Text>
        )}
      </Step>
    </Stack>
  );
}
