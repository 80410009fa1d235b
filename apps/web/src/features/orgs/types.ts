import type { components } from '@/types/api.generated';

/** A certificate as the orgs pages need it; the page builds these from the certificates feature's list. */
export interface CertificateOption {
  value: string;
  label: string;
  disabled?: boolean;
}

/** GET /audit/verify: the org's ledger hash chain, recomputed by the API. */
export type LedgerChainVerdict = components['schemas']['ChainVerdictDto'];
