// The only place the user-mappings feature's query keys are spelled.
export const userMappingsKeys = {
  all: ['user-mappings'] as const,
  lists: () => [...userMappingsKeys.all, 'list'] as const,
  /** One org's mappings (PUID → systemuserid). */
  list: (orgId: string) => [...userMappingsKeys.lists(), { orgId }] as const,
  details: () => [...userMappingsKeys.all, 'detail'] as const,
  detail: (orgId: string, puid: string) => [...userMappingsKeys.details(), orgId, puid] as const,
};
