import type { LedgerItem, Ref } from '@/types/api';

/**
 * Who did it, the way CRM's stamps read: "ERP_Integration on behalf of Jon Wilson", or
 * "ERP_Integration (no impersonation)" when the service account acted as itself.
 */
export function formatActor(item: Pick<LedgerItem, 'serviceAccount' | 'onBehalfOf'>): string {
  const service = item.serviceAccount?.name || 'Service account';
  const user = item.onBehalfOf;
  if (!user) return `${service} (no impersonation)`;
  const who = user.name || (user.puid ? `PUID ${user.puid}` : user.id);
  return `${service} on behalf of ${who}`;
}

/** A CRM lookup stamp for display: its name, else its id, else a dash. */
export function formatStamp(ref: Ref | null | undefined): string {
  if (!ref) return '—';
  return ref.name || ref.id || '—';
}
