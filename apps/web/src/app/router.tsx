import { createBrowserRouter, type RouteObject } from 'react-router';
import { NotFound } from './not-found';
import { RootErrorBoundary, RouteErrorBoundary } from './route-error-boundary';
import { AuthGate } from './shell/auth-gate';
import { FullPageLoader } from './shell/full-page-loader';
import { RequireAdmin } from './shell/require-admin';

// Every page is its own chunk (route-level code splitting); the entry holds only the shell.
// Each route area has its own error boundary, so a crash in one page keeps the shell and navigation.

const routes: RouteObject[] = [
  {
    path: '/login',
    HydrateFallback: FullPageLoader,
    ErrorBoundary: RootErrorBoundary,
    lazy: () => import('@/features/auth/routes/login-route').then((m) => ({ Component: m.LoginRoute })),
  },
  {
    path: '/',
    Component: AuthGate,
    HydrateFallback: FullPageLoader,
    ErrorBoundary: RootErrorBoundary,
    children: [
      {
        ErrorBoundary: RouteErrorBoundary,
        children: [
          {
            index: true,
            lazy: () =>
              import('@/features/overview/routes/overview-route').then((m) => ({
                Component: m.OverviewRoute,
              })),
          },
        ],
      },
      {
        path: 'orgs',
        ErrorBoundary: RouteErrorBoundary,
        children: [
          {
            index: true,
            lazy: () => import('@/features/orgs/routes/orgs-route').then((m) => ({ Component: m.OrgsRoute })),
          },
          {
            path: 'new',
            lazy: () => import('./routes/org-new-route').then((m) => ({ Component: m.OrgNewRoute })),
          },
          {
            path: 'consent',
            lazy: () => import('./routes/org-consent-route').then((m) => ({ Component: m.OrgConsentRoute })),
          },
          {
            path: ':orgId',
            lazy: () => import('./routes/org-detail-route').then((m) => ({ Component: m.OrgDetailRoute })),
          },
        ],
      },
      {
        path: 'certificates',
        ErrorBoundary: RouteErrorBoundary,
        children: [
          {
            index: true,
            lazy: () =>
              import('@/features/certificates/routes/certificates-route').then((m) => ({
                Component: m.CertificatesRoute,
              })),
          },
          {
            path: 'new',
            lazy: () =>
              import('@/features/certificates/routes/certificate-upload-route').then((m) => ({
                Component: m.CertificateUploadRoute,
              })),
          },
          {
            path: ':certificateId',
            lazy: () =>
              import('@/features/certificates/routes/certificate-detail-route').then((m) => ({
                Component: m.CertificateDetailRoute,
              })),
          },
        ],
      },
      {
        path: 'audit',
        ErrorBoundary: RouteErrorBoundary,
        lazy: () => import('./routes/audit-route').then((m) => ({ Component: m.AuditRoute })),
      },
      {
        path: 'admin-activity',
        ErrorBoundary: RouteErrorBoundary,
        lazy: () =>
          import('./routes/admin-activity-route').then((m) => ({ Component: m.AdminActivityRoute })),
      },
      {
        path: 'test-as-user',
        ErrorBoundary: RouteErrorBoundary,
        lazy: () => import('./routes/test-as-user-route').then((m) => ({ Component: m.TestAsUserRoute })),
      },
      {
        path: 'admin-users',
        ErrorBoundary: RouteErrorBoundary,
        Component: RequireAdmin,
        children: [
          {
            index: true,
            lazy: () =>
              import('@/features/admin-users/routes/admin-users-route').then((m) => ({
                Component: m.AdminUsersRoute,
              })),
          },
        ],
      },
      {
        path: 'api-keys',
        ErrorBoundary: RouteErrorBoundary,
        Component: RequireAdmin,
        children: [
          {
            index: true,
            lazy: () =>
              import('@/features/api-keys/routes/api-keys-route').then((m) => ({
                Component: m.ApiKeysRoute,
              })),
          },
        ],
      },
      { path: '*', Component: NotFound },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes);
}
