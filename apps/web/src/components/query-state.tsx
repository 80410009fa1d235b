import { Alert, Button, Center, Group, Loader, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconInbox } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { errorCode, errorMessage } from '@/lib/error-messages';

export function LoadingState({ label = 'Loading…' }: { label?: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Group gap="sm">
        <Loader size="sm" aria-hidden />
        <Text c="dimmed">{label}</Text>
      </Group>
    </Center>
  );
}

/** An error in plain words from the API's code, with the code for support and an optional retry. */
export function ErrorState({
  error,
  title = 'Could not load this',
  onRetry,
  retrying,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
  retrying?: boolean;
}) {
  const code = errorCode(error);
  return (
    <Alert color="red" variant="light" title={title} icon={<IconAlertTriangle aria-hidden />} role="alert">
      <Stack gap="xs">
        <Text size="sm">{errorMessage(error)}</Text>
        {code && (
          <Text size="xs" c="dimmed">
            Code: {code}
          </Text>
        )}
        {onRetry && (
          <Group>
            <Button size="xs" variant="default" onClick={onRetry} loading={retrying}>
              Try again
            </Button>
          </Group>
        )}
      </Stack>
    </Alert>
  );
}

/** An inline error for a failed action (mutation), smaller than ErrorState. */
export function ActionError({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const code = errorCode(error);
  return (
    <Alert color="red" variant="light" title={title} role="alert" icon={<IconAlertTriangle aria-hidden />}>
      <Text size="sm">
        {errorMessage(error)}
        {code && (
          <Text span size="xs" c="dimmed">
            {' '}
            ({code})
          </Text>
        )}
      </Text>
    </Alert>
  );
}

export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <Stack align="center" gap={4} py="xl" px="md">
      <IconInbox size={32} aria-hidden color="var(--mantine-color-dimmed)" />
      <Text fw={600}>{title}</Text>
      {children && (
        <Text size="sm" c="dimmed" ta="center" maw={520}>
          {children}
        </Text>
      )}
      {action && <div style={{ marginTop: 8 }}>{action}</div>}
    </Stack>
  );
}
