/**
 * Each organization has its own CrmService and MetadataService URL, as CRM Online gave each org its
 * own host (`https://contoso.crm.dynamics.com/MSCrmServices/2007/CrmService.asmx`, docs/protocol.md
 * §2, §4.3). The emulator serves one host, so it puts the org's unique name first in the path:
 * `https://localhost:8443/contoso/MSCrmServices/2007/CrmService.asmx`. OrganizationDetail advertises
 * these URLs; a CRM ticket presented at another org's URL is refused with 0x8004A102.
 */
export interface OrgUrls {
  crmService: string;
  metadataService: string;
  webApplication: string;
}

/** The service paths under an org (ASMX paths are case-insensitive). */
export const CRM_SERVICE_PATH = '/MSCrmServices/2007/CrmService.asmx';
export const METADATA_SERVICE_PATH = '/MSCrmServices/2007/MetadataService.asmx';

/** An org's URLs under the emulator's base URL (e.g. `https://localhost:8443`). */
export function orgUrls(base: string, orgName: string): OrgUrls {
  const root = `${base}/${encodeURIComponent(orgName.toLowerCase())}`;
  return {
    crmService: `${root}${CRM_SERVICE_PATH}`,
    metadataService: `${root}${METADATA_SERVICE_PATH}`,
    webApplication: `${root}/`,
  };
}

/** Which org-scoped service a request path names, if any. */
export interface OrgServicePath {
  /** The org's unique name, lower case (it may not exist). */
  org: string;
  service: 'crm' | 'metadata';
}

const ORG_SERVICE = /^\/([a-z0-9][a-z0-9_-]{0,63})\/mscrmservices\/2007\/(crmservice|metadataservice)\.asmx$/;

/** Reads `/<org>/MSCrmServices/2007/(CrmService|MetadataService).asmx` from a lower-cased path. */
export function orgServiceFromPath(lowerCasePath: string): OrgServicePath | undefined {
  const m = ORG_SERVICE.exec(lowerCasePath);
  if (!m?.[1]) return undefined;
  return { org: m[1], service: m[2] === 'crmservice' ? 'crm' : 'metadata' };
}
