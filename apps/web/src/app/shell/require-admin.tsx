import { Alert, Stack } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { Outlet } from 'react-router';
import { PageHeader } from '@/components/page-header';
import { useSessionUser } from '@/lib/session';

/** Admin-only areas: an auditor who follows a link lands on an explanation, not a broken page. */
export function RequireAdmin() {
  const user = useSessionUser();
  if (user.role !== 'admin') {
    return (
      <Stack>
        <PageHeader title="Admins only" />
        <Alert color="gray" icon={<IconLock aria-hidden />} title="This area is for administrators">
          You are signed in as an auditor, with read-only access. Ask an administrator if you need to manage
          console users.
        </Alert>
      </Stack>
    );
  }
  return <Outlet />;
}
