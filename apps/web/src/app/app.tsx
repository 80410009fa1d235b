import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { RouterProvider } from 'react-router/dom';
import { createQueryClient } from '@/lib/query-client';
import { createAppRouter } from './router';
import { installSessionLostHandler } from './session-lost';
import { theme } from './theme';

export function App() {
  const [{ queryClient, router }] = useState(() => {
    const queryClient = createQueryClient();
    const router = createAppRouter();
    installSessionLostHandler(router, queryClient);
    return { queryClient, router };
  });

  return (
    <MantineProvider theme={theme} defaultColorScheme="light">
      {/* Bottom right: toasts must not cover the header (Sign out) or the page actions under it. */}
      <Notifications position="bottom-right" />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  );
}
