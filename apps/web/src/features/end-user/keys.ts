// The only place the end-user feature's query keys are spelled.
export const endUserKeys = {
  all: ['end-user'] as const,
  details: () => [...endUserKeys.all, 'detail'] as const,
  /** The Windows Live user signed in through RPS in this browser. */
  me: () => [...endUserKeys.details(), 'me'] as const,
};
