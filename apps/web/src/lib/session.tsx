import { createContext, useContext, type ReactNode } from 'react';
import type { User } from '@/types/api';

// The signed-in administrator, provided by the app shell. Features read the role from here,
// so none of them has to import the auth feature.

const SessionContext = createContext<User | null>(null);

export function SessionProvider({ user, children }: { user: User; children: ReactNode }) {
  return <SessionContext.Provider value={user}>{children}</SessionContext.Provider>;
}

export function useSessionUser(): User {
  const user = useContext(SessionContext);
  if (!user) throw new Error('useSessionUser must be used under <SessionProvider>');
  return user;
}

/** Admins may change things; auditors read only. */
export function useCanEdit(): boolean {
  return useSessionUser().role === 'admin';
}
