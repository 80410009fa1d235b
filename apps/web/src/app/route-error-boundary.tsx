import { Button, Center, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { errorCode, errorMessage } from '@/lib/error-messages';

function describe(error: unknown): { title: string; message: string; code: string | null } {
  if (isRouteErrorResponse(error)) {
    return {
      title: error.status === 404 ? 'Page not found' : 'This page failed',
      message:
        error.status === 404
          ? 'There is nothing at this address.'
          : error.statusText || 'Something went wrong.',
      code: null,
    };
  }
  // Never show a stack: the mapped words, and the API's code when there is one.
  return { title: 'This page failed to load', message: errorMessage(error), code: errorCode(error) };
}

function ErrorPanel({ error }: { error: unknown }) {
  const { title, message, code } = describe(error);
  return (
    <Paper withBorder p="xl" radius="md" maw={560} role="alert">
      <Stack>
        <Group gap="sm">
          <IconAlertTriangle color="var(--mantine-color-red-6)" aria-hidden />
          <Title order={1} size="h3">
            {title}
          </Title>
        </Group>
        <Text>{message}</Text>
        {code && (
          <Text size="xs" c="dimmed">
            Code: {code}
          </Text>
        )}
        <Group>
          <Button onClick={() => window.location.reload()}>Reload the page</Button>
          <Button component={Link} to="/" variant="default">
            Go to the overview
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** A route area's boundary: renders inside the shell, so navigation keeps working. */
export function RouteErrorBoundary() {
  const error = useRouteError();
  return (
    <Center py="xl">
      <ErrorPanel error={error} />
    </Center>
  );
}

/** The outermost boundary, used when the shell itself cannot render. */
export function RootErrorBoundary() {
  const error = useRouteError();
  return (
    <Center mih="100vh" p="md">
      <ErrorPanel error={error} />
    </Center>
  );
}
