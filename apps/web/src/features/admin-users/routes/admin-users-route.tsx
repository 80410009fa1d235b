import { Paper, Stack } from '@mantine/core';
import { PageHeader } from '@/components/page-header';
import { EmptyState, ErrorState, LoadingState } from '@/components/query-state';
import { useSessionUser } from '@/lib/session';
import { useAdminUsers } from '../api/get-admin-users';
import { AddAdminUserForm } from '../components/add-admin-user-form';
import { AdminUsersTable } from '../components/admin-users-table';

export function AdminUsersRoute() {
  const users = useAdminUsers();
  const me = useSessionUser();
  return (
    <>
      <PageHeader
        title="Admin users"
        description="Who can sign in to this console. Admins change things; auditors read only."
      />
      <Stack gap="lg">
        <Paper withBorder radius="md">
          {users.isPending ? (
            <LoadingState label="Loading users…" />
          ) : users.isError ? (
            <ErrorState
              error={users.error}
              title="Could not load the users"
              onRetry={() => void users.refetch()}
              retrying={users.isFetching}
            />
          ) : users.data.items.length === 0 ? (
            <EmptyState title="No users" />
          ) : (
            <AdminUsersTable users={users.data.items} selfId={me.id} />
          )}
        </Paper>
        <AddAdminUserForm />
      </Stack>
    </>
  );
}
