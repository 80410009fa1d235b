// The only place the api-keys feature's query keys are spelled.
export const apiKeysKeys = {
  all: ['api-keys'] as const,
  lists: () => [...apiKeysKeys.all, 'list'] as const,
  list: (filters: Record<string, never> = {}) => [...apiKeysKeys.lists(), filters] as const,
  details: () => [...apiKeysKeys.all, 'detail'] as const,
  detail: (keyId: string) => [...apiKeysKeys.details(), keyId] as const,
  /** The orgs a `calls` key may be given (the orgs list, read by this feature for its picker). */
  orgChoices: () => [...apiKeysKeys.all, 'org-choices'] as const,
};
