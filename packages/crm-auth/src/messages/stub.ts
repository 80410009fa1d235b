import { CrmAuthError } from '../errors';

/** Temporary: bodies still being written. */
export function notYet(what: string): never {
  throw new CrmAuthError('ERR_INVALID_OPTIONS', `${what} is not implemented yet`);
}
