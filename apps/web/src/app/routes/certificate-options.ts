import type { Certificate } from '@/types/api';
import { formatDays, formatDn } from '@/utils/format';

/** Certificates as picker options for the orgs pages (the page composes the two features). */
export function toCertificateOptions(certificates: Certificate[] | undefined) {
  return certificates?.map((c) => ({
    value: c.id,
    label: `${c.name || formatDn(c.subject)} · ${c.serviceAccountLiveId} · ${c.status === 'invalid' ? 'invalid' : formatDays(c.daysToExpiry)}`,
    disabled: c.status === 'invalid',
  }));
}
