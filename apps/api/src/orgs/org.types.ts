/** An org's lifecycle, for the contexts that show orgs (the overview): the orgs context owns the rows. */
export type OrgStatus = 'onboarding' | 'active' | 'failed';
/** The platform an org runs on (crm-auth's Platform): CRM 4.0 Online or Dataverse. */
export type OrgKind = 'crm4' | 'dataverse';
