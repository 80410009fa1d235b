import { CrmAuthError } from '../errors';
import type { OrganizationDetail } from '../messages/types';

/** At most this many organizations are named in an error message (all are in `organizations`). */
const MAX_NAMED = 10;

/**
 * Picks the organization `wanted` names among RetrieveOrganizations' answer. The one rule of
 * crm-auth (the session's `friendlyName` and the CLI's `--org` both use it):
 *
 * 1. an org whose unique name (`OrganizationName`, an identifier: unique per discovery service,
 *    case-insensitive like the org URLs it appears in) equals `wanted`, ignoring case, is the one;
 * 2. otherwise the orgs whose display name (`FriendlyName`, not unique: two orgs may share one)
 *    equals `wanted` ignoring case, surrounding spaces and runs of spaces;
 * 3. exactly one such org is the one; none is ERR_ORG_NOT_FOUND, several ERR_ORG_AMBIGUOUS (give the
 *    unique name). Both list the candidates in `organizations` and name them in the message.
 *
 * @throws CrmAuthError ERR_ORG_NOT_FOUND, ERR_ORG_AMBIGUOUS
 */
export function matchOrganization(
  details: readonly OrganizationDetail[],
  wanted: string,
): OrganizationDetail {
  const unique = wanted.trim().toLowerCase();
  const byUniqueName = details.find((d) => d.organizationName.toLowerCase() === unique);
  if (byUniqueName) return byUniqueName;
  const display = displayKey(wanted);
  const byFriendlyName = details.filter((d) => displayKey(d.friendlyName) === display);
  if (byFriendlyName.length === 1) return byFriendlyName[0] as OrganizationDetail;
  if (byFriendlyName.length > 1) {
    throw new CrmAuthError(
      'ERR_ORG_AMBIGUOUS',
      `${byFriendlyName.length} organizations are named "${wanted}": ${named(byFriendlyName)}; give the unique name`,
      { operation: 'RetrieveOrganizations', organizations: byFriendlyName.map(candidate) },
    );
  }
  throw new CrmAuthError(
    'ERR_ORG_NOT_FOUND',
    `the service account belongs to no organization "${wanted}" (it sees ${details.length === 0 ? 'none' : named(details)})`,
    { operation: 'RetrieveOrganizations', organizations: details.map(candidate) },
  );
}

function displayKey(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function candidate(d: OrganizationDetail): { organizationName: string; friendlyName: string } {
  return { organizationName: d.organizationName, friendlyName: d.friendlyName };
}

function named(details: readonly OrganizationDetail[]): string {
  const shown = details.slice(0, MAX_NAMED).map((d) => `"${d.friendlyName}" (${d.organizationName})`);
  const more = details.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}
