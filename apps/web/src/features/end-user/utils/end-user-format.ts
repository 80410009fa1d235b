import type { EndUser, StampValue } from '@/types/api';

export function endUserName(user: EndUser): string {
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
  return name || user.liveId;
}

export function stampName(value: StampValue | undefined): string {
  return value ? value.name || value.id : '—';
}

export function stampId(value: StampValue | undefined): string | null {
  return value?.id ?? null;
}
