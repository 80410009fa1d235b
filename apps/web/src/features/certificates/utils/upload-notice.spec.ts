import { describe, expect, it } from 'vitest';
import type { CertificateProblem } from '@/types/api';
import { uploadNotice } from './upload-notice';

const problem = (code: string, severity: CertificateProblem['severity']): CertificateProblem => ({
  code,
  severity,
  message: `${code} message`,
});

describe('uploadNotice', () => {
  it('is a green notice with the name when the certificate has no warning', () => {
    expect(uploadNotice({ name: 'ERP', subject: 'CN=ERP', problems: [] })).toEqual({
      color: 'green',
      title: 'Certificate uploaded',
      message: 'ERP',
    });
  });

  it('falls back to the subject, one RDN per comma, without a name', () => {
    expect(uploadNotice({ name: '', subject: 'O=Contoso\nCN=ERP', problems: [] }).message).toBe(
      'O=Contoso, CN=ERP',
    );
  });

  it('stays yellow, and open, for a certificate stored with warnings (a legacy KEY_TOO_SHORT), counting them', () => {
    expect(
      uploadNotice({ name: 'Legacy', subject: 'CN=Legacy', problems: [problem('KEY_TOO_SHORT', 'warning')] }),
    ).toEqual({
      color: 'yellow',
      title: 'Certificate uploaded with 1 warning',
      message: 'Legacy: see the validation report.',
      autoClose: false,
    });
    const two = [problem('KEY_TOO_SHORT', 'warning'), problem('SHA1_SIGNATURE', 'warning')];
    expect(uploadNotice({ name: 'Legacy', subject: 'CN=Legacy', problems: two }).title).toBe(
      'Certificate uploaded with 2 warnings',
    );
  });
});
