import type { Certificate } from '@/types/api';
import { formatDn } from '@/utils/format';

/** The notice after an upload: a certificate stored with warnings (e.g. a legacy short RSA key) must not look clean. */
export function uploadNotice(certificate: Pick<Certificate, 'name' | 'subject' | 'problems'>): {
  color: 'green' | 'yellow';
  title: string;
  message: string;
  autoClose?: false;
} {
  const name = certificate.name || formatDn(certificate.subject);
  const warnings = certificate.problems.filter((p) => p.severity === 'warning').length;
  if (warnings === 0) return { color: 'green', title: 'Certificate uploaded', message: name };
  return {
    color: 'yellow',
    title: `Certificate uploaded with ${warnings} warning${warnings === 1 ? '' : 's'}`,
    message: `${name}: see the validation report.`,
    autoClose: false,
  };
}
