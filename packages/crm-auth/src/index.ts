export { CRM_AUTH_ERROR_CODES, CrmAuthError, isCrmAuthError } from './errors';
export type { CrmAuthErrorCode, CrmAuthErrorFields } from './errors';
export type {
  ActivityPartyList,
  AttributeValue,
  CrmAuthenticationToken,
  Entity,
  Lookup,
  OrganizationDetail,
  ParseOptions,
  SoapRequest,
  SoapVersion,
} from './messages/types';
export {
  CONTENT_TYPE,
  CRM_FAULT_CODES,
  EMPTY_GUID,
  NS,
  SOAP_ACTION,
  crmServiceAction,
} from './messages/constants';
export { parseFault } from './messages/faults';
export type { CrmFault } from './messages/faults';
export { decodeMessage } from './messages/decode';
export type { DecodedMessage, JsonValue } from './messages/decode';
export type { OperationName, ServiceName } from './messages/message';
export type { DecodedCrmHeader } from './messages/crm/crm-service';
export {
  buildRetrievePolicyRequest,
  parseRetrievePolicyResponse,
} from './messages/discovery/retrieve-policy';
export {
  buildRetrieveOrganizationsRequest,
  parseRetrieveOrganizationsResponse,
} from './messages/discovery/retrieve-organizations';
export {
  buildRetrieveCrmTicketRequest,
  parseRetrieveCrmTicketResponse,
} from './messages/discovery/retrieve-crm-ticket';
export {
  buildRetrieveCrmUserIdByExternalIdRequest,
  parseRetrieveCrmUserIdByExternalIdResponse,
} from './messages/discovery/retrieve-crm-user-id-by-external-id';
export { buildWhoAmIRequest, parseWhoAmIResponse } from './messages/crm/whoami';
export { buildRetrieveRequest, parseRetrieveResponse } from './messages/crm/retrieve';
export type { ConditionExpression, QueryExpression } from './messages/crm/query-expression';
export {
  buildRetrieveMultipleRequest,
  parseRetrieveMultipleResponse,
} from './messages/crm/retrieve-multiple';
export { buildCreateRequest, parseCreateResponse } from './messages/crm/create';
export { buildUpdateRequest, parseUpdateResponse } from './messages/crm/update';
export { buildDeleteRequest, parseDeleteResponse } from './messages/crm/delete';
export {
  buildRequestSecurityTokenRequest,
  parseRequestSecurityTokenResponse,
} from './messages/wlid/request-security-token';
export { CertificateBundle } from './certificates/certificate-bundle';
export type { CertificateBundlePemInput, CertificateTlsOptions } from './certificates/certificate-bundle';
export type {
  CertificateChainLink,
  CertificateProblem,
  CertificateProblemCode,
  CertificateReport,
} from './certificates/certificate-report';
export type { ValidateCertificateOptions } from './certificates/validate-certificate';
export { DEFAULT_SUPPORTED_ROOTS, supportedRootFromPem } from './certificates/supported-roots';
export type { SupportedRoot } from './certificates/supported-roots';
export {
  computeThumbprints,
  formatThumbprintBase64,
  formatThumbprintHex,
  normalizeThumbprint,
  thumbprintsEqual,
} from './certificates/thumbprint';
export type { Thumbprints } from './certificates/thumbprint';
export { RpsVerifier } from './rps/rps-verifier';
export type { RpsVerification, RpsVerifierOptions, RpsVerifyInput } from './rps/rps-verifier';
export { buildRpsUrl } from './rps/build-rps-url';
export type { RpsUrlKind, RpsUrlOptions } from './rps/build-rps-url';
export type { RpsTicketPayload } from './rps/rps-ticket';
export { HttpsTransport } from './transport/https-transport';
export type { HttpsTransportOptions, TransportRequest, TransportResponse } from './transport/https-transport';
export { sendSoap } from './transport/send-soap';
export type { SoapExchange } from './transport/send-soap';
export type { CallOptions, RemoteService, RoundTrip } from './clients/round-trip';
export type { ClientCommonOptions } from './clients/client-options';
export { WlidClient } from './clients/wlid-client';
export type { PassportTicket, WlidApi, WlidClientOptions } from './clients/wlid-client';
export { DiscoveryClient } from './clients/discovery-client';
export type { CrmTicket, DiscoveryApi, DiscoveryClientOptions } from './clients/discovery-client';
export { CrmServiceClient } from './clients/crm-service-client';
export type {
  CrmServiceApi,
  CrmServiceClientOptions,
  RetrieveArgs,
  RetrieveMultipleResult,
  WhoAmIResult,
} from './clients/crm-service-client';
export { CrmSession } from './session/crm-session';
/** Early expiries (tickets refused while serving calls) one call may meet and retry past, beyond maxTicketRetries. */
export { MAX_EARLY_EXPIRIES, MAX_TRANSIENT_DELAY_MS } from './session/ticket-retry';
export { matchOrganization } from './session/match-organization';
export type { CrmSessionOptions, CrmSessionState, SessionCallOptions } from './session/crm-session';
export type { SessionEvent } from './session/session-event';
export { MemoryTicketStore } from './session/ticket-store';
export type { StoredTicket, TicketStore } from './session/ticket-store';
export { MemoryUserIdStore } from './session/user-id-store';
export type { UserIdEntry, UserIdStore } from './session/user-id-store';
export { buildClientAssertion, MAX_ASSERTION_LIFETIME_SEC } from './dataverse/client-assertion';
export type { AssertionAlgorithm, ClientAssertionInput } from './dataverse/client-assertion';
export { EntraTokenClient, tokenEndpoint } from './dataverse/entra-token-client';
export type { EntraAccessToken, EntraTokenClientOptions } from './dataverse/entra-token-client';
export { ENTRA_ERROR_CODES, entraCodeOf } from './dataverse/entra-errors';
export { DataverseClient } from './dataverse/dataverse-client';
export type {
  DataverseCallOptions,
  DataverseClientOptions,
  DataverseOnBehalfOf,
  DataverseRecord,
  DataverseUser,
  DataverseWhoAmI,
} from './dataverse/dataverse-client';
export { DataverseSession } from './dataverse/dataverse-session';
export type { DataverseSessionOptions, DataverseSessionState } from './dataverse/dataverse-session';
export type {
  FieldValue,
  OnBehalfOf,
  OrgCallOptions,
  OrgRecord,
  OrgRecordRead,
  OrgSession,
  Platform,
} from './session/org-session';
export { entitySetOf } from './dataverse/web-api-records';
