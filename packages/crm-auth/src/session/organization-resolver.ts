/**
 * The org-resolution step of a {@link CrmSession}: the org's unique name, which RetrieveCrmTicket and
 * the ticket keys need. Given as `organizationName`, it is used as is; given as a `friendlyName`, it is
 * looked up once with RetrieveOrganizations and {@link matchOrganization} (concurrent callers share
 * that one lookup; a failed lookup is not remembered, the next call tries again).
 */
import type { OrganizationDetail } from '../messages/types';
import { matchOrganization } from './match-organization';

export interface OrganizationResolverOptions {
  /** The unique name, when the caller gave it: nothing to look up. */
  organizationName: string | undefined;
  /** The display name to look up when there is no unique name. */
  friendlyName: string | undefined;
  /** RetrieveOrganizations with the session's Passport ticket. */
  retrieveOrganizations: (signal: AbortSignal | undefined) => Promise<OrganizationDetail[]>;
  /** The org found by a lookup (the session shows its detail until a CRM ticket brings a newer one). */
  onResolved: (found: OrganizationDetail) => void;
}

export class OrganizationResolver {
  readonly #o: OrganizationResolverOptions;
  #organizationName: string | undefined;
  #flight: Promise<string> | undefined;

  constructor(options: OrganizationResolverOptions) {
    this.#o = options;
    this.#organizationName = options.organizationName;
  }

  /** The unique name, once known (given, or resolved). */
  get organizationName(): string | undefined {
    return this.#organizationName;
  }

  /** The unique name: the given one, or the friendly name's org, looked up once. */
  async resolve(signal: AbortSignal | undefined): Promise<string> {
    if (this.#organizationName !== undefined) return this.#organizationName;
    this.#flight ??= (async () => {
      const organizations = await this.#o.retrieveOrganizations(signal);
      const found = matchOrganization(organizations, this.#o.friendlyName as string);
      this.#organizationName = found.organizationName;
      this.#o.onResolved(found);
      return found.organizationName;
    })().finally(() => {
      this.#flight = undefined;
    });
    return this.#flight;
  }
}
