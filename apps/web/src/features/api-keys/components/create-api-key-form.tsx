import {
  Button,
  Checkbox,
  Group,
  MultiSelect,
  NativeSelect,
  Paper,
  SimpleGrid,
  Stack,
  TextInput,
  Title,
} from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { ActionError } from '@/components/query-state';
import type { ApiKeyScope, CreatedApiKey } from '@/types/api';
import { useCreateApiKey } from '../api/create-api-key';
import {
  EMPTY_KEY_FORM,
  EXPIRY_CHOICES,
  type ExpiryChoice,
  type KeyFormErrors,
  SCOPE_CHOICES,
  toCreateBody,
} from '../utils/api-key-form';

export function CreateApiKeyForm({
  orgs,
  orgsLoading,
  onCreated,
}: {
  orgs: Array<{ id: string; name: string }>;
  orgsLoading: boolean;
  onCreated: (created: CreatedApiKey) => void;
}) {
  const [values, setValues] = useState(EMPTY_KEY_FORM);
  const [errors, setErrors] = useState<KeyFormErrors>({});
  const create = useCreateApiKey();
  const calls = values.scopes.includes('calls');

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const result = toCreateBody(values, new Date());
    setErrors(result.errors ?? {});
    if (!result.body) return;
    create.mutate(result.body, {
      onSuccess: (created) => {
        setValues(EMPTY_KEY_FORM);
        onCreated(created);
      },
    });
  };

  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="create-key-title">
      <Title order={2} size="h4" mb="sm" id="create-key-title">
        Create a key
      </Title>
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput
              label="Name"
              description="What the key is for, so that it can be revoked knowingly"
              required
              value={values.name}
              onChange={(e) => {
                setValues({ ...values, name: e.currentTarget.value });
                setErrors({ ...errors, name: undefined });
              }}
              error={errors.name}
              autoComplete="off"
            />
            <NativeSelect
              label="Expires"
              description="Rotate keys: create the new one, switch over, revoke the old one"
              value={values.expiry}
              onChange={(e) => setValues({ ...values, expiry: e.currentTarget.value as ExpiryChoice })}
              data={EXPIRY_CHOICES.map((c) => ({ value: c.value, label: c.label }))}
            />
          </SimpleGrid>
          <Checkbox.Group
            label="Scopes"
            description="Give an integration only what it needs"
            required
            value={values.scopes}
            onChange={(v) => {
              setValues({ ...values, scopes: v as ApiKeyScope[] });
              setErrors({ ...errors, scopes: undefined, orgIds: undefined });
            }}
            error={errors.scopes}
          >
            <Stack gap={6} mt={6}>
              {SCOPE_CHOICES.map((s) => (
                <Checkbox key={s.value} value={s.value} label={s.label} description={s.description} />
              ))}
            </Stack>
          </Checkbox.Group>
          <MultiSelect
            label="Orgs"
            description={
              calls ? 'The orgs this key may call (required for calls)' : 'Only for the calls scope'
            }
            placeholder={orgsLoading ? 'Loading orgs…' : orgs.length === 0 ? 'No orgs yet' : 'Choose orgs'}
            required={calls}
            disabled={!calls}
            data={orgs.map((o) => ({ value: o.id, label: o.name }))}
            value={calls ? values.orgIds : []}
            onChange={(orgIds) => {
              setValues({ ...values, orgIds });
              setErrors({ ...errors, orgIds: undefined });
            }}
            error={errors.orgIds}
            searchable
            clearable
            maw={560}
          />
          <ActionError error={create.error} title="Could not create the key" />
          <Group>
            <Button type="submit" loading={create.isPending} leftSection={<IconKey size={16} aria-hidden />}>
              Create key
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
