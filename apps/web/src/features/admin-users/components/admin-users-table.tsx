import { Badge, Group, NativeSelect, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ConfirmButton } from '@/components/confirm-button';
import { ActionError } from '@/components/query-state';
import type { AdminUser, Role } from '@/types/api';
import { formatDateTime } from '@/utils/format';
import { useDeleteAdminUser } from '../api/delete-admin-user';
import { useUpdateAdminUser } from '../api/update-admin-user';

function UserRow({ user, isSelf }: { user: AdminUser; isSelf: boolean }) {
  const update = useUpdateAdminUser();
  const remove = useDeleteAdminUser();
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" fw={500}>
          {user.name}{' '}
          {isSelf && (
            <Badge size="xs" variant="outline">
              You
            </Badge>
          )}
        </Text>
      </Table.Td>
      <Table.Td>{user.email}</Table.Td>
      <Table.Td>
        <NativeSelect
          aria-label={`Role of ${user.name}`}
          size="xs"
          value={user.role}
          disabled={isSelf || update.isPending}
          title={isSelf ? 'You cannot change your own role' : undefined}
          onChange={(e) => {
            const role = e.currentTarget.value as Role;
            update.mutate(
              { id: user.id, changes: { role } },
              {
                onSuccess: () =>
                  notifications.show({
                    color: 'green',
                    title: 'Role changed',
                    message: `${user.name} is now ${role}`,
                  }),
              },
            );
          }}
          data={[
            { value: 'admin', label: 'Admin' },
            { value: 'auditor', label: 'Auditor' },
          ]}
          w={130}
        />
        {isSelf && (
          <Text size="xs" c="dimmed">
            Your own role cannot be changed here
          </Text>
        )}
        {update.isError && <ActionError error={update.error} />}
      </Table.Td>
      <Table.Td>{formatDateTime(user.createdAt)}</Table.Td>
      <Table.Td>{formatDateTime(user.lastLoginAt)}</Table.Td>
      <Table.Td>
        {isSelf ? (
          <Text size="xs" c="dimmed">
            You cannot delete yourself
          </Text>
        ) : (
          <Group gap="xs">
            <ConfirmButton
              title={`Delete ${user.name}?`}
              message={`${user.email} will no longer be able to sign in.`}
              confirmLabel="Delete"
              loading={remove.isPending}
              onConfirm={() => remove.mutate(user.id)}
              aria-label={`Delete ${user.name}`}
            >
              Delete
            </ConfirmButton>
          </Group>
        )}
        {remove.isError && <ActionError error={remove.error} />}
      </Table.Td>
    </Table.Tr>
  );
}

export function AdminUsersTable({ users, selfId }: { users: AdminUser[]; selfId: string }) {
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table striped verticalSpacing="sm" aria-label="Console users">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">Email</Table.Th>
            <Table.Th scope="col">Role</Table.Th>
            <Table.Th scope="col">Created</Table.Th>
            <Table.Th scope="col">Last sign-in</Table.Th>
            <Table.Th scope="col">Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {users.map((user) => (
            <UserRow key={user.id} user={user} isSelf={user.id === selfId} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
