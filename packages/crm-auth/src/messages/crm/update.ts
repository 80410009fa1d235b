import { notYet } from '../stub';
import type { CrmAuthenticationToken, Entity, ParseOptions, SoapRequest } from '../types';

/** CrmService `Update`. The entity must carry its primary key attribute. */
export function buildUpdateRequest(_token: CrmAuthenticationToken, _a: { entity: Entity }): SoapRequest {
  return notYet('buildUpdateRequest');
}

/** Parses the empty `UpdateResponse`. */
export function parseUpdateResponse(_xml: string, _opts?: ParseOptions): Record<string, never> {
  return notYet('parseUpdateResponse');
}
