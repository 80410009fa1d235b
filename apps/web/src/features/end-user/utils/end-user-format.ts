import type { EndUser, StampValue } from '@/types/api';

export function endUserName(user: EndUser): string {
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
  return name || user.liveId;
}

export function stampName(value: StampValue | undefined): string {
  if (!value) return '—';
  if (typeof value === 'string') return value;
  return value.name || value.id || '—';
}

export function stampId(value: StampValue | undefined): string | null {
  if (!value || typeof value === 'string') return null;
  return value.id || null;
}
