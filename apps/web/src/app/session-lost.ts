import type { QueryClient } from '@tanstack/react-query';
import type { createBrowserRouter } from 'react-router';
import { setCsrfToken, setSessionLostHandler } from '@/lib/api-client';
import { loginPath } from '@/utils/safe-next';

type AppRouter = ReturnType<typeof createBrowserRouter>;

/**
 * On a 401 AUTH_SESSION_EXPIRED / AUTH_REQUIRED from any request, go back to sign-in with
 * "Your session expired" and the path the user was on, then drop everything cached under the old session.
 */
export function installSessionLostHandler(router: AppRouter, queryClient: QueryClient): void {
  let redirecting = false;
  setSessionLostHandler((error) => {
    const { pathname, search } = router.state.location;
    if (redirecting || pathname === '/login') return;
    redirecting = true;
    setCsrfToken(null);
    const target = loginPath(
      `${pathname}${search}`,
      error.code === 'AUTH_SESSION_EXPIRED' ? 'expired' : undefined,
    );
    void router
      .navigate(target, { replace: true })
      .then(() => queryClient.clear())
      .finally(() => {
        redirecting = false;
      });
  });
}
