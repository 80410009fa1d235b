/**
 * CRM platform error codes the emulator raises (docs/protocol.md §6.2, §6.3).
 * One table so that handlers name a situation and never spell a hex code.
 */
export const CRM_ERRORS = {
  ExpiredAuthTicket: {
    code: '0x8004A101',
    description: 'The ticket specified for authentication is expired',
  },
  BadAuthTicket: { code: '0x8004A102', description: 'The ticket specified for authentication is invalid' },
  OrganizationDisabled: { code: '0x8004A104', description: 'The organization is disabled' },
  ObjectDoesNotExist: { code: '0x80040217', description: 'The object does not exist' },
  PrivilegeDenied: { code: '0x80040220', description: 'The user does not hold the necessary privileges' },
  PrincipalPrivilegeDenied: {
    code: '0x80040231',
    description: 'The user acted for does not hold the necessary privileges',
  },
  UserDisabled: { code: '0x80040225', description: 'The user is disabled' },
  InvalidArgument: { code: '0x80040203', description: 'Invalid argument' },
  NotImplemented: { code: '0x80040219', description: 'Not implemented' },
  MissingUserId: { code: '0x8004021B', description: 'The user id is missing' },
} as const;

export type CrmErrorName = keyof typeof CRM_ERRORS;

/** A CRM fault raised inside a handler; the HTTP layer turns it into a SOAP fault. */
export class CrmFault extends Error {
  readonly code: string;
  constructor(
    readonly errorName: CrmErrorName,
    description?: string,
    /** `Client` for malformed requests, `Server` for everything CRM itself refuses. */
    readonly faultCode: 'Server' | 'Client' = 'Server',
    readonly httpStatus = 500,
  ) {
    super(description ?? CRM_ERRORS[errorName].description);
    this.name = 'CrmFault';
    this.code = CRM_ERRORS[errorName].code;
  }
}
