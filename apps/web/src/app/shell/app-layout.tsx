import {
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  NavLink,
  Progress,
  ScrollArea,
  Text,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconCertificate,
  IconBuildingSkyscraper,
  IconGauge,
  IconHistory,
  IconKey,
  IconListSearch,
  IconLogout,
  IconUserCheck,
  IconUsersGroup,
} from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, type ComponentType } from 'react';
import { Link, Outlet, useLocation, useNavigate, useNavigation } from 'react-router';
import type { User } from '@/types/api';
import { useLogout } from '@/features/auth/api/logout';
import classes from './app-layout.module.css';

interface NavItem {
  to: string;
  label: string;
  icon: ComponentType<{ size?: number; 'aria-hidden'?: boolean }>;
  adminOnly?: boolean;
}

const NAV: NavItem[] = [
  { to: '/', label: 'Overview', icon: IconGauge },
  { to: '/orgs', label: 'Orgs', icon: IconBuildingSkyscraper },
  { to: '/certificates', label: 'Certificates', icon: IconCertificate },
  { to: '/audit', label: 'Audit', icon: IconListSearch },
  { to: '/admin-activity', label: 'Admin activity', icon: IconHistory },
  { to: '/test-as-user', label: 'Test as end user', icon: IconUserCheck },
  { to: '/admin-users', label: 'Admin users', icon: IconUsersGroup, adminOnly: true },
  { to: '/api-keys', label: 'API keys', icon: IconKey, adminOnly: true },
];

function isActive(pathname: string, to: string): boolean {
  return to === '/' ? pathname === '/' : pathname === to || pathname.startsWith(`${to}/`);
}

/** After client-side navigation, move focus to the new page's heading so screen readers announce it. */
function useFocusHeadingOnNavigate(pathname: string) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = document.querySelector<HTMLElement>('main [data-page-heading]');
    heading?.focus({ preventScroll: false });
  }, [pathname]);
}

export function AppLayout({ user }: { user: User }) {
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const navigation = useNavigation();
  const navigate = useNavigate();
  const logout = useLogout();
  const queryClient = useQueryClient();
  useFocusHeadingOnNavigate(location.pathname);

  const signOut = () => {
    logout.mutate(undefined, {
      onSettled: () => {
        // Nothing cached under this session may be shown to whoever signs in next.
        void Promise.resolve(navigate('/login', { replace: true })).then(() => queryClient.clear());
      },
    });
  };

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'md', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <a href="#main" className={classes.skipLink}>
        Skip to content
      </a>
      <AppShell.Header>
        {navigation.state !== 'idle' && (
          <Progress
            value={100}
            animated
            size="xs"
            radius={0}
            className={classes.progress}
            aria-label="Loading page"
          />
        )}
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="md"
              size="sm"
              aria-label={opened ? 'Close navigation' : 'Open navigation'}
            />
            <Text component={Link} to="/" fw={700} size="lg" className={classes.brand}>
              Onbehalf
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap" aria-label="Signed-in user" role="group">
            <Tooltip label={user.email} withArrow>
              <Text size="sm" fw={500} className={classes.userName} tabIndex={0}>
                <VisuallyHidden>Signed in as </VisuallyHidden>
                {user.name}
              </Text>
            </Tooltip>
            {/* Names need not be unique; the email says which account this is. */}
            <Text size="sm" c="dimmed" className={classes.userEmail}>
              {user.email}
            </Text>
            <Badge variant="light" color={user.role === 'admin' ? 'indigo' : 'gray'}>
              {user.role === 'admin' ? 'Admin' : 'Auditor (read only)'}
            </Badge>
            <Button
              variant="subtle"
              size="xs"
              leftSection={<IconLogout size={16} aria-hidden />}
              onClick={signOut}
              loading={logout.isPending}
            >
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        <ScrollArea type="auto">
          {NAV.filter((item) => !item.adminOnly || user.role === 'admin').map((item) => {
            const active = isActive(location.pathname, item.to);
            return (
              <NavLink
                key={item.to}
                component={Link}
                to={item.to}
                label={item.label}
                leftSection={<item.icon size={18} aria-hidden />}
                active={active}
                aria-current={active ? 'page' : undefined}
                onClick={close}
              />
            );
          })}
        </ScrollArea>
      </AppShell.Navbar>

      <AppShell.Main id="main" tabIndex={-1} className={classes.main}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
