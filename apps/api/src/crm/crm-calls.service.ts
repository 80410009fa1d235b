import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  type AttributeValue,
  type DataverseSession,
  type Entity,
  type FieldValue,
  isCrmAuthError,
  type OrgCallOptions,
  type OrgSession,
  type QueryExpression,
} from '@onbehalf/crm-auth';
import { LRUCache } from 'lru-cache';
import { badRequest, DomainException, notFound } from '../common/domain-exception';
import type { RequestContext } from '../common/principal';
import { OrgDirectory, type OrgRecord } from '../orgs/org-directory';
import type { OrgKind } from '../orgs/org.types';
import { TicketsService } from '../tickets/tickets.service';
import { UserMappingsService } from '../user-mappings/user-mappings.service';
import { ledgerCode, toHttpError } from './crm-errors';
import { asCrmRecord } from './crm-record-shape';
import type { OnBehalfOfDto } from './dto/record.dto';
import { MetricsService } from '../metrics/metrics.service';
import { LedgerService } from './ledger.service';
import { callerOf, requestHash } from '../idempotency/idempotency-key';
import { type Attempt, IdempotencyService, type KeyReply } from '../idempotency/idempotency.service';

const ENTITY_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const ATTRIBUTE_NAME = /^[a-z][a-z0-9_]{0,99}$/;
/** A GUID as toAttributes leaves a lookup's id: lower case, no braces. */
const STRICT_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_ATTRIBUTES = 200;
const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;
const ORG_CACHE_MS = 5_000;
const ORG_CACHE_MAX = 10_000;
/** A renamed CRM user shows under the new name in the ledger within this time. */
const NAME_CACHE_MS = 15 * 60_000;
const NAME_CACHE_MAX = 50_000;

export interface ActingAs {
  id: string;
  name: string | null;
  puid: string | null;
  /** Dataverse: the Entra object id the caller named the user by (the call is sent with it, CallerObjectId). */
  entraObjectId?: string;
}

/**
 * Impersonated CRM calls for the ISV's software and the console. Each goes through the org's
 * CrmSession (cached tickets: one round trip at steady state) and its circuit breaker, and is
 * written to the ledger as pending before it is sent.
 */
@Injectable()
export class CrmCallsService {
  /** `${orgId}|${systemuserid}` → full name (null when CRM has none); read once per user and TTL, so steady state stays one round trip. */
  private readonly names = new LRUCache<string, { name: string | null }>({
    max: NAME_CACHE_MAX,
    ttl: NAME_CACHE_MS,
  });
  /** `${orgId}|${entraObjectId}` → the Dataverse user (systemuserid, full name), resolved once per TTL. */
  private readonly entraUsers = new LRUCache<string, { id: string; name: string | null }>({
    max: NAME_CACHE_MAX,
    ttl: NAME_CACHE_MS,
  });
  private readonly logger = new Logger('crm-calls');

  constructor(
    private readonly orgDirectory: OrgDirectory,
    private readonly tickets: TicketsService,
    private readonly mappings: UserMappingsService,
    private readonly ledger: LedgerService,
    private readonly metrics: MetricsService,
    // Nest always injects it; specs of the unkeyed calls may leave it out.
    private readonly idempotency?: IdempotencyService,
  ) {}

  private get keys(): IdempotencyService {
    if (!this.idempotency) throw new Error('CrmCallsService was built without IdempotencyService');
    return this.idempotency;
  }

  static checkEntity(entity: string): string {
    if (!ENTITY_NAME.test(entity))
      throw badRequest(
        'INVALID_ENTITY',
        'The entity must be a CRM logical name (lower case letters, digits, _).',
      );
    return entity;
  }

  /** orgs by id for a few seconds: the row is read on every call, and changes to it are rare. */
  private readonly orgs = new LRUCache<string, OrgRecord>({ max: ORG_CACHE_MAX, ttl: ORG_CACHE_MS });

  private async org(orgId: string): Promise<OrgRecord> {
    const hit = this.orgs.get(orgId);
    if (hit) return hit;
    const org = await this.orgDirectory.find(orgId);
    if (org?.status === 'active') this.orgs.set(orgId, org);
    if (!org) throw notFound('ORG_NOT_FOUND', 'No org with this id.');
    if (org.status !== 'active')
      throw new DomainException(
        409,
        'ORG_NOT_ACTIVE',
        `"${org.friendlyName}" is not onboarded (status ${org.status}).`,
      );
    return org;
  }

  /**
   * Who to act for: a PUID (CRM 4.0, through the mapping cache), an Entra object id (Dataverse, resolved to its
   * systemuserid and cached) or a systemuserid (both); null = the service account (or application user) itself.
   */
  async actingAs(
    orgId: string,
    who: OnBehalfOfDto | undefined,
    kind: OrgKind = 'crm4',
  ): Promise<ActingAs | null> {
    if (!who || (!who.puid && !who.userId && !who.entraObjectId)) return null;
    if (who.puid && who.userId)
      throw badRequest('INVALID_ON_BEHALF_OF', 'Give onBehalfOf.puid or onBehalfOf.userId, not both.');
    if (who.entraObjectId && (who.puid || who.userId))
      throw badRequest(
        'INVALID_ON_BEHALF_OF',
        'Give one of onBehalfOf.entraObjectId, onBehalfOf.userId or onBehalfOf.puid, not several.',
      );
    if (who.entraObjectId) {
      if (kind !== 'dataverse')
        throw badRequest(
          'INVALID_ON_BEHALF_OF',
          'This org runs CRM 4.0: onBehalfOf.entraObjectId names an Entra ID user, which only Dataverse orgs have. Give onBehalfOf.puid or onBehalfOf.userId.',
        );
      const oid = who.entraObjectId.replace(/[{}]/g, '').toLowerCase();
      const u = await this.entraUser(orgId, oid);
      return { id: u.id, name: u.name, puid: null, entraObjectId: oid };
    }
    if (who.puid && kind === 'dataverse')
      throw badRequest(
        'INVALID_ON_BEHALF_OF',
        'This org runs on Dataverse: onBehalfOf.puid names a Windows Live ID user, which only CRM 4.0 orgs have. Give onBehalfOf.entraObjectId or onBehalfOf.userId.',
      );
    if (who.puid) {
      const u = await this.mappings.resolve(orgId, who.puid).catch((err: unknown) => {
        throw toHttpError(err);
      });
      return { id: u.id, name: u.name, puid: u.puid };
    }
    const id = who.userId!.toLowerCase();
    return { id, name: await this.nameOf(orgId, id, kind), puid: null };
  }

  /** A Dataverse user by Entra object id (crm-auth's resolveUserId), cached per org for NAME_CACHE_MS. */
  private async entraUser(orgId: string, oid: string): Promise<{ id: string; name: string | null }> {
    const key = `${orgId}|${oid}`;
    const hit = this.entraUsers.get(key);
    if (hit) return hit;
    const u = await this.tickets
      .runOrg(orgId, (s) => (s as DataverseSession).resolveUserId({ entraObjectId: oid }))
      .catch((err: unknown) => {
        throw toHttpError(err);
      });
    const found = { id: u.userId.toLowerCase(), name: u.fullName };
    this.entraUsers.set(key, found);
    return found;
  }

  private async nameOf(orgId: string, userId: string, kind: OrgKind = 'crm4'): Promise<string | null> {
    const key = `${orgId}|${userId}`;
    const hit = this.names.get(key);
    if (hit) return hit.name;
    if (kind === 'dataverse') {
      const u = await this.tickets
        .runOrg(orgId, (s) => s.retrieveRecord({ entity: 'systemuser', id: userId, columns: ['fullname'] }))
        .catch((err: unknown) => {
          // Dataverse ignores an MSCRMCallerID that names no user (an Entra object id, say) and runs the call as
          // the application user, silently (docs/protocol.md §13.2): such a call is never sent.
          if (isCrmAuthError(err, 'ERR_CRM_OBJECT_NOT_FOUND'))
            throw badRequest(
              'INVALID_ON_BEHALF_OF',
              `No user of this Dataverse environment has the systemuserid ${userId}. If it is an Entra object id, give it as onBehalfOf.entraObjectId: Dataverse would ignore it as a systemuserid and run the call as the application user.`,
            );
          return null;
        });
      const name = typeof u?.fields.fullname === 'string' ? u.fields.fullname : null;
      this.names.set(key, { name });
      return name;
    }
    let name = await this.mappings.fullNameOf(orgId, userId);
    if (!name) {
      try {
        const u = await this.tickets.run(orgId, (s) =>
          s.retrieve({ entityName: 'systemuser', id: userId, columns: ['fullname'] }),
        );
        name = typeof u.entity.attributes.fullname === 'string' ? u.entity.attributes.fullname : null;
      } catch {
        name = null;
      }
    }
    this.names.set(key, { name });
    return name;
  }

  /** Runs one CRM operation with its ledger row around it. */
  private async call<T>(
    org: OrgRecord,
    op: {
      operation: string;
      entity: string | null;
      recordId?: string | null;
      actor: ActingAs | null;
      ctx: RequestContext;
      /** Told the ledger row's id once it is written, before CRM is called (a keyed call's key names it). */
      started?: (ledgerId: string) => Promise<void>;
    },
    fn: (callerId: string | null) => Promise<T>,
    recordIdOf: (r: T) => string | null = () => null,
  ): Promise<{ result: T; ledgerId: string }> {
    const ledgerId = await this.ledger.begin({
      orgId: org.id,
      operation: op.operation,
      entity: op.entity,
      recordId: op.recordId ?? null,
      serviceAccountId: org.serviceAccountUserId,
      serviceAccountName: org.serviceAccountName,
      onBehalfOfId: op.actor?.id ?? null,
      onBehalfOfName: op.actor?.name ?? null,
      onBehalfOfPuid: op.actor?.puid ?? null,
      requestId: op.ctx.requestId || null,
      caller: op.ctx.principal?.email ?? null,
    });
    const t0 = performance.now();
    let result: T;
    try {
      await op.started?.(ledgerId);
      result = await fn(op.actor?.id ?? null);
    } catch (err) {
      this.metrics.observeCall(org.id, op.operation, 'failed', performance.now() - t0);
      if (isCrmAuthError(err) && err.faultCode) this.metrics.incFault(org.id, err.faultCode);
      await this.ledger.fail(org.id, ledgerId, {
        errorCode: ledgerCode(err),
        errorMessage: err instanceof Error ? err.message : 'unknown error',
        latencyMs: performance.now() - t0,
      });
      // CRM says the user acted for is gone or disabled: the cached mapping must not be used again.
      if (
        op.actor &&
        isCrmAuthError(err, 'ERR_CRM_USER_DISABLED', 'ERR_CRM_OBJECT_NOT_FOUND') &&
        op.operation !== 'Retrieve'
      ) {
        if (op.actor.entraObjectId) this.entraUsers.delete(`${org.id}|${op.actor.entraObjectId}`);
        else await this.mappings.evictUser(org.id, op.actor.id);
      }
      throw toHttpError(err);
    }
    const latencyMs = performance.now() - t0;
    this.metrics.observeCall(org.id, op.operation, 'completed', latencyMs);
    try {
      await this.ledger.complete(org.id, ledgerId, { recordId: recordIdOf(result), latencyMs });
    } catch (err) {
      // CRM did the work: the caller gets its result. The row stays pending and reconciliation settles it.
      this.logger.warn(
        `ledger row ${ledgerId} could not be completed: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    return { result, ledgerId };
  }

  async create(
    orgId: string,
    entity: string,
    attributes: Record<string, unknown>,
    who: OnBehalfOfDto | undefined,
    ctx: RequestContext,
  ) {
    const org = await this.org(orgId);
    if (org.kind === 'dataverse') return this.createDataverse(org, entity, attributes, who, ctx);
    const e: Entity = {
      logicalName: CrmCallsService.checkEntity(entity),
      attributes: toAttributes(attributes),
    };
    const actor = await this.actingAs(orgId, who);
    const { result, ledgerId } = await this.call(
      org,
      { operation: 'Create', entity, actor, ctx },
      (callerId) => this.tickets.run(orgId, (s) => s.create(e, { callerId })),
      (r) => r.id,
    );
    return { id: result.id, ledgerId, actor };
  }

  /**
   * A Create under an `Idempotency-Key` (docs/api.md, "Idempotent Create and Update"): the record id is
   * chosen here (or taken from the primary key attribute) and sent to CRM, so a retry after a lost reply
   * or a crash can ask CRM whether the record exists, and re-sending the Create cannot make a second one.
   */
  async createOnce(
    orgId: string,
    entity: string,
    attributes: Record<string, unknown>,
    who: OnBehalfOfDto | undefined,
    ctx: RequestContext,
    key: string,
  ): Promise<{ body: { id: string; ledgerId: string }; replayed: boolean }> {
    const org = await this.org(orgId);
    CrmCallsService.checkEntity(entity);
    const attrs = toAttributes(attributes);
    const pk = `${entity}id`;
    const given = attrs[pk];
    if (given !== undefined && (typeof given !== 'string' || !GUID.test(given)))
      throw badRequest('INVALID_ATTRIBUTE', `${pk}, the record's primary key, must be a GUID.`);
    const actor = await this.actingAs(orgId, who, org.kind);
    const dataverse = org.kind === 'dataverse';
    const fields = dataverse ? toFields(attributes) : null;
    const hash = keyedRequestHash('Create', orgId, entity, null, attributes, who, ctx);
    const chosen = typeof given === 'string' ? given.replace(/[{}]/g, '').toLowerCase() : randomUUID();
    const r = await this.keys.run(
      { orgId, key, requestHash: hash, recordId: chosen },
      async (a): Promise<KeyReply> => {
        const id = a.recordId ?? chosen;
        // An earlier attempt sent this Create (its ledger row is named) and was cut off: CRM may have it.
        if (a.recovering && a.ledgerId && (await this.exists(orgId, entity, id, dataverse)))
          return this.recovered(orgId, id, a);
        try {
          const { result, ledgerId } = await this.call(
            org,
            { operation: 'Create', entity, recordId: id, actor, ctx, started: a.started },
            (callerId) =>
              fields
                ? this.tickets.runOrg(orgId, (s) =>
                    s.createRecord({ entity, fields: { ...fields, [pk]: id } }, onBehalf(actor)),
                  )
                : this.tickets.run(orgId, (s) =>
                    s.create({ logicalName: entity, attributes: { ...attrs, [pk]: id } }, { callerId }),
                  ),
            (x) => x.id,
          );
          const created = result.id.toLowerCase();
          return { status: 201, body: { id: created, ledgerId }, recordId: created, ledgerId };
        } catch (err) {
          if (a.recovering && a.ledgerId) {
            // CRM refused the re-sent Create as a duplicate key: the cut-off one landed meanwhile, under this id.
            if (isDuplicateKey(err)) return this.recovered(orgId, id, a);
            // Otherwise it may still have landed (or this Create's reply was lost): ask once more.
            if (await this.exists(orgId, entity, id, dataverse).catch(() => false))
              return this.recovered(orgId, id, a);
          }
          throw err;
        }
      },
    );
    return { body: r.body as { id: string; ledgerId: string }, replayed: r.replayed };
  }

  /** A recovered Create that CRM has: the first attempt's ledger row is completed and named in the reply. */
  private async recovered(orgId: string, recordId: string, a: Attempt): Promise<KeyReply> {
    const ledgerId = a.ledgerId!;
    await this.ledger
      .completeRecovered(orgId, ledgerId, recordId)
      .catch((err: unknown) =>
        this.logger.warn(
          `ledger row ${ledgerId} of a recovered Create not completed: ${err instanceof Error ? err.message : String(err)}`,
        ),
      );
    return { status: 201, body: { id: recordId, ledgerId }, recordId, ledgerId };
  }

  /** Whether CRM has the record (read as the service account, outside the ledger, as reconciliation reads). */
  private async exists(orgId: string, entity: string, id: string, dataverse = false): Promise<boolean> {
    try {
      if (dataverse)
        await this.tickets.runOrg(orgId, (s) => s.retrieveRecord({ entity, id, columns: [`${entity}id`] }));
      else
        await this.tickets.run(orgId, (s) =>
          s.retrieve({ entityName: entity, id, columns: [`${entity}id`] }),
        );
      return true;
    } catch (err) {
      if (isCrmAuthError(err, 'ERR_CRM_OBJECT_NOT_FOUND')) return false;
      throw toHttpError(err);
    }
  }

  /**
   * An Update under an `Idempotency-Key`: the first reply is kept and replayed. A retry after a crash sends
   * the same Update again (the same body gives the same end state) under a new ledger row.
   */
  async updateOnce(
    orgId: string,
    entity: string,
    recordId: string,
    attributes: Record<string, unknown>,
    who: OnBehalfOfDto | undefined,
    ctx: RequestContext,
    key: string,
  ): Promise<{ body: { ledgerId: string }; replayed: boolean }> {
    const org = await this.org(orgId);
    CrmCallsService.checkEntity(entity);
    const attrs = toAttributes(attributes);
    attrs[`${entity}id`] = recordId;
    const actor = await this.actingAs(orgId, who, org.kind);
    const fields = org.kind === 'dataverse' ? toFields(attributes) : null;
    const hash = keyedRequestHash('Update', orgId, entity, recordId, attributes, who, ctx);
    const r = await this.keys.run({ orgId, key, requestHash: hash, recordId }, async (a) => {
      const { ledgerId } = await this.call(
        org,
        { operation: 'Update', entity, recordId, actor, ctx, started: a.started },
        (callerId) =>
          fields
            ? this.tickets.runOrg(orgId, (s) =>
                s.updateRecord({ entity, id: recordId, fields }, onBehalf(actor)),
              )
            : this.tickets.run(orgId, (s) =>
                s.update({ logicalName: entity, attributes: attrs }, { callerId }),
              ),
      );
      return { status: 200, body: { ledgerId }, ledgerId };
    });
    return { body: r.body as { ledgerId: string }, replayed: r.replayed };
  }

  async update(
    orgId: string,
    entity: string,
    recordId: string,
    attributes: Record<string, unknown>,
    who: OnBehalfOfDto | undefined,
    ctx: RequestContext,
  ) {
    const org = await this.org(orgId);
    CrmCallsService.checkEntity(entity);
    if (org.kind === 'dataverse') {
      const fields = toFields(attributes);
      const dvActor = await this.actingAs(orgId, who, 'dataverse');
      const { ledgerId } = await this.call(
        org,
        { operation: 'Update', entity, recordId, actor: dvActor, ctx },
        () =>
          this.tickets.runOrg(orgId, (s) =>
            s.updateRecord({ entity, id: recordId, fields }, onBehalf(dvActor)),
          ),
      );
      return { ledgerId };
    }
    const attrs = toAttributes(attributes);
    attrs[`${entity}id`] = recordId; // Update carries its primary key
    const actor = await this.actingAs(orgId, who);
    const { ledgerId } = await this.call(
      org,
      { operation: 'Update', entity, recordId, actor, ctx },
      (callerId) =>
        this.tickets.run(orgId, (s) => s.update({ logicalName: entity, attributes: attrs }, { callerId })),
    );
    return { ledgerId };
  }

  async retrieve(
    orgId: string,
    entity: string,
    recordId: string,
    columns: string[] | 'all',
    ctx: RequestContext,
    who?: OnBehalfOfDto,
  ) {
    const org = await this.org(orgId);
    CrmCallsService.checkEntity(entity);
    if (org.kind === 'dataverse') return this.retrieveDataverse(org, entity, recordId, columns, ctx, who);
    const actor = await this.actingAs(orgId, who);
    const { result } = await this.call(
      org,
      { operation: 'Retrieve', entity, recordId, actor, ctx },
      (callerId) =>
        this.tickets.run(orgId, (s) =>
          s.retrieve({ entityName: entity, id: recordId, columns }, { callerId }),
        ),
    );
    return result;
  }

  async list(
    orgId: string,
    entity: string,
    q: {
      columns: string[] | 'all';
      page: number;
      pageSize: number;
      pagingCookie?: string | null;
      filters: Record<string, string>;
    },
    ctx: RequestContext,
  ) {
    const org = await this.org(orgId);
    CrmCallsService.checkEntity(entity);
    if (org.kind === 'dataverse')
      throw new DomainException(
        409,
        'ORG_PLATFORM',
        'This org runs on Dataverse: listing records (RetrieveMultiple) exists for CRM 4.0 orgs only so far.',
      );
    const query: QueryExpression = {
      entityName: entity,
      columns: q.columns,
      ...(Object.keys(q.filters).length
        ? {
            criteria: {
              filterOperator: 'And',
              conditions: Object.entries(q.filters).map(([attribute, v]) => ({
                attribute,
                operator: 'Equal',
                values: [v],
              })),
            },
          }
        : {}),
      pageInfo: {
        pageNumber: q.page,
        count: q.pageSize,
        ...(q.pagingCookie ? { pagingCookie: q.pagingCookie } : {}),
      },
    };
    const { result } = await this.call(org, { operation: 'RetrieveMultiple', entity, actor: null, ctx }, () =>
      this.tickets.run(orgId, (s) => s.retrieveMultiple(query)),
    );
    return { items: result.entities, moreRecords: result.moreRecords, pagingCookie: result.pagingCookie };
  }

  async whoAmI(orgId: string, who: OnBehalfOfDto | undefined, ctx: RequestContext) {
    const org = await this.org(orgId);
    if (org.kind === 'dataverse') {
      const dvActor = await this.actingAs(orgId, who, 'dataverse');
      const { result } = await this.call(
        org,
        { operation: 'WhoAmI', entity: null, actor: dvActor, ctx },
        () => this.tickets.runOrg(orgId, (s) => s.whoAmI(onBehalf(dvActor))),
      );
      return result;
    }
    const actor = await this.actingAs(orgId, who);
    const { result } = await this.call(org, { operation: 'WhoAmI', entity: null, actor, ctx }, (callerId) =>
      this.tickets.run(orgId, (s) => s.whoAmI({ callerId })),
    );
    return result;
  }

  /** A Dataverse org's Create: the same ledger row, sent through its OrgSession (docs/protocol.md §13). */
  private async createDataverse(
    org: OrgRecord,
    entity: string,
    attributes: Record<string, unknown>,
    who: OnBehalfOfDto | undefined,
    ctx: RequestContext,
  ) {
    const record = { entity: CrmCallsService.checkEntity(entity), fields: toFields(attributes) };
    const actor = await this.actingAs(org.id, who, 'dataverse');
    const { result, ledgerId } = await this.call(
      org,
      { operation: 'Create', entity, actor, ctx },
      () => this.tickets.runOrg(org.id, (s) => s.createRecord(record, onBehalf(actor))),
      (r) => r.id,
    );
    return { id: result.id, ledgerId, actor };
  }

  /** A Dataverse org's Retrieve: the columns asked for (the Web API reads no "all columns" here), as CRM 4.0 text. */
  private async retrieveDataverse(
    org: OrgRecord,
    entity: string,
    recordId: string,
    columns: string[] | 'all',
    ctx: RequestContext,
    who?: OnBehalfOfDto,
  ) {
    if (columns === 'all')
      throw badRequest(
        'INVALID_COLUMNS',
        'This org runs on Dataverse: name the columns to read (?columns=name,createdby).',
      );
    const long = columns.find((c) => !ENTITY_NAME.test(c));
    if (long !== undefined)
      throw badRequest(
        'INVALID_COLUMNS',
        `"${long.slice(0, 40)}…" is longer than a Dataverse column's logical name (at most 64 characters).`,
      );
    const actor = await this.actingAs(org.id, who, 'dataverse');
    const { result } = await this.call(org, { operation: 'Retrieve', entity, recordId, actor, ctx }, () =>
      this.tickets.runOrg(org.id, (s: OrgSession) =>
        s.retrieveRecord({ entity, id: recordId, columns }, onBehalf(actor)),
      ),
    );
    return { entity: asCrmRecord(result) };
  }
}

/** The OrgSession options of a call on behalf of `actor`: by Entra object id when the caller named one, else by systemuserid. */
function onBehalf(actor: ActingAs | null): OrgCallOptions {
  if (!actor) return {};
  return {
    onBehalfOf: actor.entraObjectId ? { entraObjectId: actor.entraObjectId } : { userId: actor.id },
  };
}

/** API attribute values → Dataverse column values: the same checks as CRM 4.0's, numbers and yes/no kept typed. */
function toFields(input: Record<string, unknown>): Record<string, FieldValue> {
  const checked = toAttributes(input);
  const out: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(checked)) {
    // What crm-auth's OrgSession refuses as the API's own mistake (ERR_INVALID_OPTIONS, a 500) is the caller's here:
    // a column's logical name has at most 64 characters, a reference a GUID id.
    if (!ENTITY_NAME.test(k))
      throw badRequest(
        'INVALID_ATTRIBUTE',
        `"${k.slice(0, 40)}…" is longer than a Dataverse column's logical name (at most 64 characters).`,
      );
    if (typeof v === 'object' && !Array.isArray(v) && !STRICT_GUID.test(v.id))
      throw badRequest('INVALID_ATTRIBUTE', `The lookup ${k} needs a GUID id and an entity type.`);
    const raw = input[k];
    out[k] = typeof raw === 'number' || typeof raw === 'boolean' ? raw : (v as FieldValue);
  }
  return out;
}

/** CRM's fault for a Create whose primary key a record already has ("Cannot insert duplicate key"). */
const DUPLICATE_KEY_FAULT = '0x80040237';

/** Whether `err` (as toHttpError mapped it) is CRM refusing a Create because the record id is taken. */
function isDuplicateKey(err: unknown): boolean {
  return err instanceof DomainException && err.details?.faultCode === DUPLICATE_KEY_FAULT;
}

/** A keyed write's request hash: the route, org, entity, record, caller and the body as sent. */
function keyedRequestHash(
  operation: 'Create' | 'Update',
  orgId: string,
  entity: string,
  recordId: string | null,
  attributes: Record<string, unknown>,
  who: OnBehalfOfDto | undefined,
  ctx: RequestContext,
): string {
  return requestHash({
    operation,
    orgId,
    entity,
    recordId,
    caller: callerOf(ctx.principal),
    body: { attributes, onBehalfOf: who ?? null },
  });
}

/** API attribute values → CRM attribute values: text, or a lookup {id, type, name?}. */
function toAttributes(input: Record<string, unknown>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  const entries = Object.entries(input ?? {});
  if (entries.length > MAX_ATTRIBUTES)
    throw badRequest('TOO_MANY_ATTRIBUTES', `At most ${MAX_ATTRIBUTES} attributes per record.`);
  for (const [k, v] of entries) {
    if (!ATTRIBUTE_NAME.test(k))
      throw badRequest('INVALID_ATTRIBUTE', `"${k.slice(0, 40)}" is not a CRM attribute name.`);
    if (typeof v === 'string') {
      if (v.length > 100_000) throw badRequest('INVALID_ATTRIBUTE', `The value of ${k} is too long.`);
      out[k] = v;
    } else if (typeof v === 'number' && Number.isFinite(v)) out[k] = String(v);
    else if (typeof v === 'boolean') out[k] = v ? 'true' : 'false';
    else if (
      v &&
      typeof v === 'object' &&
      typeof (v as { id?: unknown }).id === 'string' &&
      typeof (v as { type?: unknown }).type === 'string'
    ) {
      const l = v as { id: string; type: string; name?: unknown };
      if (!/^\{?[0-9a-f-]{36}\}?$/i.test(l.id) || !ENTITY_NAME.test(l.type))
        throw badRequest('INVALID_ATTRIBUTE', `The lookup ${k} needs a GUID id and an entity type.`);
      out[k] = {
        id: l.id.replace(/[{}]/g, '').toLowerCase(),
        type: l.type,
        ...(typeof l.name === 'string' ? { name: l.name } : {}),
      };
    } else {
      throw badRequest(
        'INVALID_ATTRIBUTE',
        `The value of ${k} must be a string, number, boolean or lookup {id, type}.`,
      );
    }
  }
  return out;
}
