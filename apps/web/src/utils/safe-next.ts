/**
 * The path to return to after sign-in, from `?next=`. Only same-origin paths are accepted, so a crafted
 * link cannot send a freshly signed-in administrator to another site.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next === '/login' || next.startsWith('/login?')) return '/';
  return next;
}

/** `/login?next=…` (and `reason=expired` after a lost session). */
export function loginPath(next: string, reason?: 'expired'): string {
  const params = new URLSearchParams();
  const target = safeNextPath(next);
  if (target !== '/') params.set('next', target);
  if (reason) params.set('reason', reason);
  const query = params.toString();
  return query ? `/login?${query}` : '/login';
}
