/** An org's lifecycle, for the contexts that show orgs (the overview): the orgs context owns the rows. */
export type OrgStatus = 'onboarding' | 'active' | 'failed';
