import { absoluteUrl, invalidOptions, nonEmptyString } from '../option-checks';

/** Which sign-in page URL {@link buildRpsUrl} makes, as `RPSDomainMap.ConstructURL` named them. */
export type RpsUrlKind = 'Auth' | 'SilentAuth' | 'Logout';

/** Input of {@link buildRpsUrl}. */
export interface RpsUrlOptions {
  /** The RPS root, e.g. `https://localhost:8443/rps` for the emulator. */
  rpsBaseUrl: string;
  siteId: string;
  /** Where the sign-in page sends the user back; an absolute http(s) URL. */
  returnUrl: string;
}

const PATHS: Readonly<Record<RpsUrlKind, { path: string; silent: boolean }>> = {
  Auth: { path: 'login', silent: false },
  SilentAuth: { path: 'login', silent: true },
  Logout: { path: 'logout', silent: false },
};

/**
 * Builds the URL to send a user to: `Auth` (interactive sign-in), `SilentAuth` (sign-in without
 * a page when a session exists; the answer for an RPSAuthState of "Maybe") or `Logout`.
 *
 * @throws CrmAuthError ERR_INVALID_OPTIONS on an unknown kind, an empty siteId or a URL that is not
 *   absolute http(s).
 */
export function buildRpsUrl(kind: RpsUrlKind, options: RpsUrlOptions): string {
  const spec = Object.prototype.hasOwnProperty.call(PATHS, kind) ? PATHS[kind] : undefined;
  if (!spec) throw invalidOptions(`unknown RPS URL kind: ${String(kind)}`);
  nonEmptyString(options?.siteId, 'siteId');
  const base = absoluteHttpUrl(options.rpsBaseUrl, 'rpsBaseUrl');
  const back = absoluteHttpUrl(options.returnUrl, 'returnUrl');
  const url = new URL(`${base.pathname.replace(/\/+$/, '')}/${spec.path}`, base);
  url.searchParams.set('siteId', options.siteId);
  url.searchParams.set('returnUrl', back.toString());
  if (spec.silent) url.searchParams.set('mode', 'silent');
  return url.toString();
}

function absoluteHttpUrl(value: unknown, name: string): URL {
  const url = absoluteUrl(value, name);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidOptions(`${name} must be http(s)`);
  return url;
}
