/** Endpoints whose calls are counted. */
/** The SOAP services, RPS, the identity platform (`entra`: token, openid-configuration, consent) and the Web API. */
export type CountedEndpoint = 'sts' | 'discovery' | 'crm' | 'rps' | 'entra' | 'dataverse';

/** `GET /_control/counts`: calls per endpoint and operation, the total, and the CRM faults answered. */
export interface CallCounts {
  sts: Record<string, number>;
  discovery: Record<string, number>;
  crm: Record<string, number>;
  rps: Record<string, number>;
  /** Identity-platform requests by kind: `token`, `openid` (configuration), `instance` (discovery), `adminconsent`. */
  entra: Record<string, number>;
  /** Dataverse Web API requests by HTTP method. */
  dataverse: Record<string, number>;
  total: number;
  /** CRM faults the emulator answered, per endpoint and code as on the wire, e.g. `{crm: {'0x8004A101': 3}}`. */
  faults: Partial<Record<CountedEndpoint, Record<string, number>>>;
}

/**
 * Counts every call that reaches a service endpoint, whatever its outcome, so that tests can prove
 * the product's round trips (one CrmService call per impersonated call at steady state).
 */
export class CallCounter {
  private counts: CallCounts = CallCounter.empty();

  private static empty(): CallCounts {
    return { sts: {}, discovery: {}, crm: {}, rps: {}, entra: {}, dataverse: {}, total: 0, faults: {} };
  }

  count(endpoint: CountedEndpoint, operation: string): void {
    const bucket = this.counts[endpoint];
    bucket[operation] = (bucket[operation] ?? 0) + 1;
    this.counts.total += 1;
  }

  /** A CRM fault answered to a call already counted (its code as on the wire, e.g. 0x8004A101). */
  fault(endpoint: CountedEndpoint, code: string): void {
    const bucket = (this.counts.faults[endpoint] ??= {});
    bucket[code] = (bucket[code] ?? 0) + 1;
  }

  snapshot(): CallCounts {
    return structuredClone(this.counts);
  }

  reset(): void {
    this.counts = CallCounter.empty();
  }
}
