import { randomUUID } from 'node:crypto';
import {
  SCENARIO_NAMES,
  type ScenarioEndpoint,
  type ScenarioName,
  type ScenarioState,
} from '../state/emulator-state.model';
import type { StateStore } from '../state/state.store';

/** Input of `POST /_control/scenarios`. */
export interface ScenarioInput {
  name: string;
  org?: string;
  account?: string;
  user?: string;
  endpoint?: string;
  params?: Record<string, unknown>;
}

/** Who a call is about, for matching scenario filters. */
export interface ScenarioContext {
  org?: string;
  account?: string;
  user?: string;
}

/** Scenarios that change the transport of a reply rather than CRM's rules. */
export const TRANSPORT_SCENARIOS: readonly ScenarioName[] = [
  'SLOW',
  'DROP_CONNECTION',
  'HTTP_500',
  'MALFORMED_REPLY',
  'HTML_LOGIN_PAGE',
  'THROTTLED',
];

const ENDPOINTS: readonly ScenarioEndpoint[] = ['sts', 'discovery', 'crm', 'rps', 'entra', 'all'];

/** A control-API input error; the HTTP layer maps it to 400. */
export class ControlInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlInputError';
  }
}

function numberParam(
  params: Record<string, unknown>,
  key: string,
  fallback: number | undefined,
  min: number,
  max: number,
): number | undefined {
  const raw = params[key];
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ControlInputError(`params.${key} must be a number between ${min} and ${max}`);
  }
  return value;
}

/**
 * Active scenarios, named for what they show (apps/emulator/README.md, Scenarios). Rule scenarios (DISABLED_ORG,
 * NO_PROXY_ROLE, …) are asked for by the handlers; transport scenarios are applied around a reply.
 * Any scenario can be narrowed to an org, account or user, to a fraction of calls, or to the next N.
 */
export class ScenarioEngine {
  constructor(private readonly store: StateStore) {}

  list(): ScenarioState[] {
    return this.store.scenarios;
  }

  /** Validates and activates a scenario. */
  add(input: ScenarioInput): ScenarioState {
    if (!SCENARIO_NAMES.includes(input.name as ScenarioName)) {
      throw new ControlInputError(
        `Unknown scenario '${String(input.name)}'; known: ${SCENARIO_NAMES.join(', ')}`,
      );
    }
    const name = input.name as ScenarioName;
    const endpoint = (input.endpoint ?? 'all') as ScenarioEndpoint;
    if (!ENDPOINTS.includes(endpoint)) {
      throw new ControlInputError(`endpoint must be one of ${ENDPOINTS.join(', ')}`);
    }
    const raw = input.params ?? {};
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new ControlInputError('params must be an object');
    }
    const params: ScenarioState['params'] = {};
    const fraction = numberParam(raw, 'fraction', undefined, 0, 1);
    if (fraction !== undefined) params['fraction'] = fraction;
    const count = numberParam(raw, 'count', undefined, 1, 1_000_000);
    if (name === 'SLOW') params['ms'] = numberParam(raw, 'ms', 2000, 0, 120_000) ?? 2000;
    if (name === 'TOKEN_EXPIRY') params['seconds'] = numberParam(raw, 'seconds', 60, 1, 86_400) ?? 60;
    if (name === 'RANDOM_EXPIRY') params['probability'] = numberParam(raw, 'probability', 0.5, 0, 1) ?? 0.5;
    if (name === 'THROTTLED') {
      const status = numberParam(raw, 'status', 503, 429, 503) ?? 503;
      if (status !== 429 && status !== 503) throw new ControlInputError('params.status must be 429 or 503');
      params['status'] = status;
      params['retryAfterSec'] = numberParam(raw, 'retryAfterSec', 5, 0, 86_400) ?? 5;
    }
    if (name === 'USER_WITHOUT_RIGHT') {
      const right = raw['right'];
      if (right !== undefined) {
        if (!['read', 'create', 'write', 'delete'].includes(String(right))) {
          throw new ControlInputError('params.right must be read, create, write or delete');
        }
        params['right'] = String(right);
      }
      if (raw['entity'] !== undefined) params['entity'] = String(raw['entity']).toLowerCase();
    }
    if (name === 'REVOKED_CERTIFICATE' && raw['thumbprint'] !== undefined) {
      params['thumbprint'] = String(raw['thumbprint'])
        .replace(/[^0-9a-fA-F]/g, '')
        .toUpperCase();
    }
    const scenario: ScenarioState = {
      id: randomUUID(),
      name,
      endpoint,
      params,
      createdAt: new Date().toISOString(),
    };
    if (input.org !== undefined) scenario.org = String(input.org).toLowerCase();
    if (input.account !== undefined) scenario.account = String(input.account).toLowerCase();
    if (input.user !== undefined) scenario.user = String(input.user).replace(/[{}]/g, '').toLowerCase();
    if (count !== undefined) scenario.remaining = count;
    this.store.scenarios.push(scenario);
    this.store.changed();
    return scenario;
  }

  clear(): void {
    this.store.scenarios = [];
    this.store.changed();
  }

  remove(id: string): boolean {
    const before = this.store.scenarios.length;
    this.store.scenarios = this.store.scenarios.filter((s) => s.id !== id);
    const removed = this.store.scenarios.length !== before;
    if (removed) this.store.changed();
    return removed;
  }

  /**
   * The first active scenario `name` that applies to this call, consuming one of its "next N".
   * Cheap when no scenario is active, which is the hot path.
   */
  take(
    name: ScenarioName,
    endpoint: Exclude<ScenarioEndpoint, 'all'>,
    ctx: ScenarioContext,
    applies: (s: ScenarioState) => boolean = () => true,
  ): ScenarioState | undefined {
    if (this.store.scenarios.length === 0) return undefined;
    for (const s of this.store.scenarios) {
      if (s.name !== name || !this.matches(s, endpoint, ctx) || !applies(s)) continue;
      if (!this.consume(s)) continue;
      return s;
    }
    return undefined;
  }

  /** Every transport scenario that applies to this call (SLOW first), each consumed once. */
  takeTransport(endpoint: Exclude<ScenarioEndpoint, 'all'>, ctx: ScenarioContext): ScenarioState[] {
    if (this.store.scenarios.length === 0) return [];
    const hits: ScenarioState[] = [];
    for (const s of this.store.scenarios) {
      if (!TRANSPORT_SCENARIOS.includes(s.name) || !this.matches(s, endpoint, ctx)) continue;
      if (this.consume(s)) hits.push(s);
    }
    return hits.sort((a, b) => (a.name === 'SLOW' ? -1 : 0) - (b.name === 'SLOW' ? -1 : 0));
  }

  private matches(s: ScenarioState, endpoint: string, ctx: ScenarioContext): boolean {
    if (s.endpoint !== 'all' && s.endpoint !== endpoint) return false;
    if (s.org !== undefined && s.org !== ctx.org?.toLowerCase()) return false;
    if (s.account !== undefined && s.account !== ctx.account?.toLowerCase()) return false;
    if (s.user !== undefined && s.user !== ctx.user?.toLowerCase()) return false;
    return true;
  }

  private consume(s: ScenarioState): boolean {
    const fraction = s.params['fraction'];
    if (typeof fraction === 'number' && Math.random() >= fraction) return false;
    if (s.remaining !== undefined) {
      s.remaining -= 1;
      if (s.remaining <= 0) this.store.scenarios = this.store.scenarios.filter((x) => x !== s);
      this.store.changed();
    }
    return true;
  }
}
