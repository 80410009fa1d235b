import { Button, Group, NativeSelect, Paper, SimpleGrid, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconUserPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { ActionError } from '@/components/query-state';
import { isApiError } from '@/lib/api-client';
import type { Role } from '@/types/api';
import { useCreateAdminUser } from '../api/create-admin-user';
import { PasswordField } from '@/components/password-field';

const EMPTY = { email: '', name: '', role: 'auditor' as Role, password: '' };

export function AddAdminUserForm() {
  const [values, setValues] = useState(EMPTY);
  const [errors, setErrors] = useState<Partial<Record<keyof typeof EMPTY, string>>>({});
  const create = useCreateAdminUser();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const found: typeof errors = {};
    if (!/^[^\s@]+@[^\s@]+$/.test(values.email.trim())) found.email = 'Enter an email address';
    if (!values.name.trim()) found.name = 'Enter a name';
    if (!values.password) found.password = 'Enter a password';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    create.mutate(
      { email: values.email.trim(), name: values.name.trim(), role: values.role, password: values.password },
      {
        onSuccess: (user) => {
          notifications.show({ color: 'green', title: 'User added', message: `${user.name} (${user.role})` });
          setValues(EMPTY);
        },
      },
    );
  };

  const exists = isApiError(create.error) && create.error.code === 'ADMIN_USER_EXISTS';
  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="add-user-title">
      <Title order={2} size="h4" mb="sm" id="add-user-title">
        Add a user
      </Title>
      <form onSubmit={onSubmit} noValidate>
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
          <TextInput
            label="Email"
            type="email"
            required
            value={values.email}
            onChange={(e) => setValues({ ...values, email: e.currentTarget.value })}
            error={errors.email ?? (exists ? 'A user with this email already exists' : undefined)}
            autoComplete="off"
          />
          <TextInput
            label="Name"
            required
            value={values.name}
            onChange={(e) => setValues({ ...values, name: e.currentTarget.value })}
            error={errors.name}
            autoComplete="off"
          />
          <NativeSelect
            label="Role"
            value={values.role}
            onChange={(e) => setValues({ ...values, role: e.currentTarget.value as Role })}
            data={[
              { value: 'auditor', label: 'Auditor (read only)' },
              { value: 'admin', label: 'Admin' },
            ]}
          />
          <PasswordField
            label="Password"
            required
            value={values.password}
            onChange={(e) => setValues({ ...values, password: e.currentTarget.value })}
            error={errors.password}
            autoComplete="new-password"
          />
        </SimpleGrid>
        {!exists && <ActionError error={create.error} title="Could not add the user" />}
        <Group mt="md">
          <Button
            type="submit"
            loading={create.isPending}
            leftSection={<IconUserPlus size={16} aria-hidden />}
          >
            Add user
          </Button>
        </Group>
      </form>
    </Paper>
  );
}
