/** A certificate as the orgs pages need it; the page builds these from the certificates feature's list. */
export interface CertificateOption {
  value: string;
  label: string;
  disabled?: boolean;
}
