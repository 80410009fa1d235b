import { Alert, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { IconClockExclamation } from '@tabler/icons-react';
import { useNavigate, useSearchParams } from 'react-router';
import { safeNextPath } from '@/utils/safe-next';
import { LoginForm } from '../components/login-form';

export function LoginRoute() {
  useDocumentTitle('Sign in · Onbehalf');
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNextPath(params.get('next'));
  const expired = params.get('reason') === 'expired';
  return (
    <Center mih="100vh" p="md" bg="var(--mantine-color-gray-0)" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={420}>
        <Stack>
          <div>
            <Title order={1} size="h2">
              Sign in to Onbehalf
            </Title>
            <Text c="dimmed" size="sm">
              Admin console for the CRM Online integration server
            </Text>
          </div>
          {expired && (
            <Alert
              color="yellow"
              variant="light"
              icon={<IconClockExclamation aria-hidden />}
              title="Your session expired"
              role="status"
            >
              Sign in again to continue where you were.
            </Alert>
          )}
          <LoginForm onSignedIn={() => navigate(next, { replace: true })} />
        </Stack>
      </Paper>
    </Center>
  );
}
