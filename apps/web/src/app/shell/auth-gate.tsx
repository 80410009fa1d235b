import { Button, Center, Stack, Title } from '@mantine/core';
import { Navigate, useLocation } from 'react-router';
import { ErrorState } from '@/components/query-state';
import { isApiError } from '@/lib/api-client';
import { SessionProvider } from '@/lib/session';
import { loginPath } from '@/utils/safe-next';
import { useMe } from '@/features/auth/api/get-me';
import { AppLayout } from './app-layout';
import { FullPageLoader } from './full-page-loader';

/** Everything but /login needs a session; the role it carries decides what the console offers. */
export function AuthGate() {
  const me = useMe();
  const location = useLocation();

  if (me.isError && isApiError(me.error) && me.error.status === 401) {
    const reason = me.error.code === 'AUTH_SESSION_EXPIRED' ? 'expired' : undefined;
    return <Navigate to={loginPath(`${location.pathname}${location.search}`, reason)} replace />;
  }
  if (me.data) {
    return (
      <SessionProvider user={me.data.user}>
        <AppLayout user={me.data.user} />
      </SessionProvider>
    );
  }
  if (me.isError) {
    return (
      <Center mih="100vh" p="md">
        <Stack maw={560} w="100%">
          <Title order={1} size="h3">
            Onbehalf
          </Title>
          <ErrorState
            error={me.error}
            title="Could not load your session"
            onRetry={() => void me.refetch()}
            retrying={me.isFetching}
          />
          <Button component="a" href={loginPath(`${location.pathname}${location.search}`)} variant="subtle">
            Go to sign in
          </Button>
        </Stack>
      </Center>
    );
  }
  return <FullPageLoader label="Checking your session…" />;
}
