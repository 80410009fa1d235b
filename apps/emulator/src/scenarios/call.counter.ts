/** Endpoints whose calls are counted. */
export type CountedEndpoint = 'sts' | 'discovery' | 'crm' | 'rps';

/** `GET /_control/counts`: calls per endpoint and operation, and the total. */
export interface CallCounts {
  sts: Record<string, number>;
  discovery: Record<string, number>;
  crm: Record<string, number>;
  rps: Record<string, number>;
  total: number;
}

/**
 * Counts every call that reaches a service endpoint, whatever its outcome, so that tests can prove
 * the product's round trips (one CrmService call per impersonated call at steady state).
 */
export class CallCounter {
  private counts: CallCounts = CallCounter.empty();

  private static empty(): CallCounts {
    return { sts: {}, discovery: {}, crm: {}, rps: {}, total: 0 };
  }

  count(endpoint: CountedEndpoint, operation: string): void {
    const bucket = this.counts[endpoint];
    bucket[operation] = (bucket[operation] ?? 0) + 1;
    this.counts.total += 1;
  }

  snapshot(): CallCounts {
    return structuredClone(this.counts);
  }

  reset(): void {
    this.counts = CallCounter.empty();
  }
}
