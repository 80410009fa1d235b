import type { IncomingMessage } from 'node:http';
import type { PkiStore } from '../pki/pki.store';
import type { CallCounter, CountedEndpoint } from '../scenarios/call.counter';
import type { CrmBarrier } from '../scenarios/crm-barrier';
import type { ScenarioContext, ScenarioEngine } from '../scenarios/scenario.engine';
import type { StateStore } from '../state/state.store';
import type { TicketCodec } from '../tickets/ticket.codec';
import type { SoapEnvelope } from '../xml/soap-envelope.parser';

/** Ticket lifetimes in seconds; changeable at run time through the control API. */
export interface Lifetimes {
  crmTicketSec: number;
  passportTicketSec: number;
  rpsTicketSec: number;
}

/** The emulator's public URLs. Each org's CrmService and MetadataService URLs: state/org-urls.ts. */
export interface EmulatorUrls {
  base: string;
  discovery: string;
  /** The org-less CrmService alias (the token's OrganizationName picks the org); never advertised. */
  crmService: string;
  sts: string;
  rpsLogin: string;
  federationMetadata: string;
}

/** Everything a handler needs; one per running emulator, no globals. */
export interface EmulatorContext {
  store: StateStore;
  pki: PkiStore;
  tickets: TicketCodec;
  scenarios: ScenarioEngine;
  counter: CallCounter;
  /** `POST /_control/crm/barrier`: holds CrmService calls of one operation until enough have arrived. */
  barrier: CrmBarrier;
  lifetimes: Lifetimes;
  urls: EmulatorUrls;
  /** Partner domains the STS issues tickets for (AppliesTo). */
  partnerDomains: string[];
  /** The Windows Live policy discovery hands out and the STS accepts. */
  policy: string;
  /** Ticket ids that RANDOM_EXPIRY has already expired early. */
  earlyExpired: Set<string>;
  log(line: string): void;
}

/** A reply before it is written, so that transport scenarios can change it. */
export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** A SOAP call identified but not yet run: enough to count it and match scenarios. */
export interface PreparedCall {
  operation: string;
  ctx: ScenarioContext;
  run(): HttpReply | Promise<HttpReply>;
}

/** A SOAP endpoint (STS, discovery, CrmService). */
export interface SoapService {
  endpoint: Extract<CountedEndpoint, 'sts' | 'discovery' | 'crm'>;
  /** Identifies the call; throws a CrmFault (or a Live fault) when it cannot be. */
  prepare(envelope: SoapEnvelope, req: IncomingMessage): PreparedCall;
  /** The fault reply for an error thrown by prepare or run, in the request's SOAP version. */
  faultReply(error: unknown, envelope: SoapEnvelope | undefined, req: IncomingMessage): HttpReply;
}
