import { CrmAuthError, type CrmAuthErrorCode } from '../errors';

/**
 * The identity platform's error codes this library names (docs/protocol.md §13.1), each with the error it
 * becomes. Any other AADSTS code is ERR_ENTRA_FAULT; the code as sent is always in `faultCode`.
 */
export const ENTRA_ERROR_CODES: Readonly<Record<number, CrmAuthErrorCode>> = {
  700016: 'ERR_ENTRA_APP_NOT_FOUND', // the app is not in the tenant, or not consented there
  700027: 'ERR_ENTRA_CERT_NOT_ON_APP', // the assertion's signing certificate is not registered on the app
  90002: 'ERR_ENTRA_TENANT_NOT_FOUND',
  500011: 'ERR_ENTRA_NO_RESOURCE', // the resource (the Dataverse environment) is not in the tenant
  700024: 'ERR_ENTRA_ASSERTION_TIME', // the assertion is not within its valid time range
  7000274: 'ERR_ENTRA_BAD_SIGNATURE',
  1000502: 'ERR_ENTRA_CERT_VALIDITY', // the certificate is outside its validity period
};

/** An error reply of the token endpoint, as sent: `{error, error_description, error_codes, …}`. */
export interface EntraErrorBody {
  error?: unknown;
  error_description?: unknown;
  error_codes?: unknown;
  trace_id?: unknown;
  correlation_id?: unknown;
}

/** The AADSTS number of an error reply: `error_codes[0]`, else the `AADSTSnnnn:` that starts the description. */
export function entraCodeOf(body: EntraErrorBody): number | undefined {
  if (Array.isArray(body.error_codes) && Number.isInteger(body.error_codes[0]))
    return body.error_codes[0] as number;
  const m = typeof body.error_description === 'string' ? /^AADSTS(\d+)\b/.exec(body.error_description) : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * The CrmAuthError for an error reply of the token endpoint. The message is the description's first line
 * (its trace and correlation ids follow on later lines, and are kept in `faultDescription`).
 */
export function entraError(body: EntraErrorBody, ctx: { httpStatus: number; url: string }): CrmAuthError {
  const n = entraCodeOf(body);
  const code: CrmAuthErrorCode = (n !== undefined ? ENTRA_ERROR_CODES[n] : undefined) ?? 'ERR_ENTRA_FAULT';
  const description = typeof body.error_description === 'string' ? body.error_description : '';
  const firstLine =
    description.split(/\r?\n/)[0]?.trim() || (typeof body.error === 'string' ? body.error : '');
  return new CrmAuthError(
    code,
    `The identity platform refused the token request: ${firstLine || `HTTP ${ctx.httpStatus}`}`,
    {
      ...(n !== undefined ? { faultCode: `AADSTS${n}` } : {}),
      ...(description ? { faultDescription: description } : {}),
      httpStatus: ctx.httpStatus,
      operation: 'token',
      url: ctx.url,
      // A refused token request changed nothing anywhere.
      notExecuted: true,
    },
  );
}
