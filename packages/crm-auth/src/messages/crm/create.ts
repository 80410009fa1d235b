import { notYet } from '../stub';
import type { CrmAuthenticationToken, Entity, ParseOptions, SoapRequest } from '../types';

/** CrmService `Create`. Lookup attributes are written with `type`; text is XML-escaped. */
export function buildCreateRequest(_token: CrmAuthenticationToken, _a: { entity: Entity }): SoapRequest {
  return notYet('buildCreateRequest');
}

/** Parses `CreateResponse/CreateResult`: the new record's id. */
export function parseCreateResponse(_xml: string, _opts?: ParseOptions): { id: string } {
  return notYet('parseCreateResponse');
}
