import { Matches } from 'class-validator';

/**
 * Control characters and bidirectional embeddings, overrides and isolates are invisible: with them
 * a name shows as another ("Contoso \u202Edtl" reads "Contoso ltd"), in the console and in the audit.
 */
const DISPLAY_NAME = /^[^\p{Cc}\u202a-\u202e\u2066-\u2069]*$/u;

/** A name people read (orgs, certificates, admins, API keys). */
export const IsDisplayName = () =>
  Matches(DISPLAY_NAME, {
    message: '$property must not contain control characters or bidirectional overrides',
  });
