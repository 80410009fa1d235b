import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { type Entity, isCrmAuthError, type Lookup } from '@onbehalf/crm-auth';
import { notFound } from '../common/domain-exception';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { JobsService } from '../jobs/jobs.service';
import { LedgerChainService } from '../ledger-chain/ledger-chain.service';
import { OrgDirectory } from '../orgs/org-directory';
import { TicketsService } from '../tickets/tickets.service';
import type { Reconciliation } from './crm-call.entity';
import { asCrmRecord } from './crm-record-shape';
import { LedgerRepository, type LostCreate, type UnverifiedWrite } from './ledger.repository';
import { type CreatedRecord, createdAsRowAsked, lostReplyNote, matchLostCreates } from './lost-replies';

const STAMPS = [
  'createdby',
  'createdonbehalfby',
  'modifiedby',
  'modifiedonbehalfby',
  'ownerid',
  'createdon',
  'modifiedon',
];
const WATCHED_ENTITIES = ['account', 'contact', 'lead'];
const MAX_RECORDS_PER_RUN = 500;
/** How long a run may spend sealing the rows it settled; the ledger-seal job seals whatever is left. */
const SEAL_SETTLED_BUDGET_MS = 5_000;

export interface ReconcileReport {
  checked: number;
  match: number;
  mismatch: number;
  missing: number;
  /** Calls on behalf of a user that the platform ran without the on-behalf stamp (verdict `not-stamped`). */
  notStamped: number;
  unknownChanges: number;
  pendingResolved: number;
  unknown: { entity: string; recordId: string; modifiedon: string | null }[];
  /**
   * Creates whose reply was lost, linked to the record CRM holds for them (no longer unknown changes): by the id a
   * keyed Create named, or by inference (the one record created as the call asked while it ran; probably, not surely).
   */
  linked: { entity: string; recordId: string; ledgerId: string; by: 'id' | 'inference' }[];
  /**
   * Unknown changes that more than one such Create could explain, or whose Create could explain another too; and
   * records two keyed lost Creates both named (the ledger names them: not unknown changes).
   */
  ambiguous: { entity: string; recordId: string; ledgerIds: string[] }[];
}

type Ref = { id: string; name: string | null } | null;

/** CRM's stamps on one record, as pullStamps reads them back. */
export interface RecordStamps {
  createdby: Ref;
  createdonbehalfby: Ref;
  modifiedby: Ref;
  modifiedonbehalfby: Ref;
  ownerid: Ref;
}

/**
 * Reconciles the ledger with what CRM recorded: for each recent Create/Update, the
 * createdby/createdonbehalfby (or modified…) stamps must name the user acted for and the
 * service account. Flags: impersonation requested but the on-behalf stamp empty; an unexpected
 * actor; changes stamped with the service account that the ledger does not know.
 */
@Injectable()
export class ReconcileService {
  private readonly logger = new Logger('reconcile');

  constructor(
    private readonly ledger: LedgerRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly orgs: OrgDirectory,
    private readonly tickets: TicketsService,
    jobs: JobsService,
    /** Seals the rows a run settles at once (absent: the ledger-seal job seals them within seconds). */
    @Optional() private readonly chain?: LedgerChainService,
  ) {
    jobs.register({
      name: 'reconcile',
      everyMs: 5 * 60_000,
      leaseMs: 10 * 60_000,
      run: () => this.reconcileAll(),
    });
  }

  /**
   * A Dataverse record's stamps through the org's OrgSession (the Web API's `_createdby_value` and the like, read
   * back as references with their names), in the shape CRM 4.0's Retrieve gives.
   */
  private async readBack(orgId: string, entity: string, recordId: string): Promise<Entity> {
    return asCrmRecord(
      await this.tickets.runOrg(orgId, (s) => s.retrieveRecord({ entity, id: recordId, columns: STAMPS })),
    );
  }

  async reconcileAll(): Promise<Record<string, unknown>> {
    const orgs = await this.orgs.active();
    const out: Record<string, unknown> = {};
    for (const o of orgs) {
      try {
        out[o.id] = await this.reconcile(o.id);
      } catch (err) {
        out[o.id] = { error: err instanceof Error ? err.message : String(err) };
      }
    }
    return out;
  }

  async reconcile(
    orgId: string,
    opts: { sinceHours?: number; pendingAfterSec?: number } = {},
  ): Promise<ReconcileReport> {
    const org = await this.orgs.find(orgId);
    if (!org) throw notFound('ORG_NOT_FOUND', 'No org with this id.');
    const since = new Date(Date.now() - (opts.sinceHours ?? 24) * 3_600_000);
    const report: ReconcileReport = {
      checked: 0,
      match: 0,
      mismatch: 0,
      missing: 0,
      notStamped: 0,
      unknownChanges: 0,
      pendingResolved: 0,
      unknown: [],
      linked: [],
      ambiguous: [],
    };

    report.pendingResolved = await this.resolvePending(
      orgId,
      opts.pendingAfterSec ?? this.config.reconcilePendingAfterSec,
    );
    if (report.pendingResolved > 0) await this.sealSettled(orgId);

    const dataverse = org.kind === 'dataverse';

    const rows = await this.ledger.unverifiedWrites(orgId, since, MAX_RECORDS_PER_RUN * 4);
    // The latest write per record decides the modified… stamps; every Create decides the created… ones.
    const byRecord = new Map<string, UnverifiedWrite[]>();
    for (const r of rows) {
      const k = `${r.entity}|${r.record_id}`;
      byRecord.set(k, [...(byRecord.get(k) ?? []), r]);
    }
    const known = new Set(byRecord.keys());
    for (const [key, writes] of [...byRecord.entries()].slice(0, MAX_RECORDS_PER_RUN)) {
      const [entity, recordId] = key.split('|') as [string, string];
      const deleted = writes.some((w) => w.operation === 'Delete');
      let record: Entity | null = null;
      try {
        record = dataverse
          ? await this.readBack(orgId, entity, recordId)
          : (
              await this.tickets.run(orgId, (s) =>
                s.retrieve({ entityName: entity, id: recordId, columns: STAMPS }),
              )
            ).entity;
      } catch (err) {
        if (!isCrmAuthError(err, 'ERR_CRM_OBJECT_NOT_FOUND')) throw err;
      }
      report.checked++;
      if (!record) {
        await this.saveStamps(orgId, entity, recordId, null);
        const verdict: Reconciliation = deleted ? 'match' : 'missing';
        await this.mark(
          orgId,
          writes.map((w) => w.id),
          verdict,
          deleted ? 'deleted as the ledger says' : 'the record is not in CRM',
        );
        report[verdict]++;
        continue;
      }
      await this.saveStamps(orgId, entity, recordId, record);
      const a = record.attributes;
      for (const w of writes.filter((x) => x.operation !== 'Delete')) {
        const latest = w === writes.filter((x) => x.operation !== 'Delete').at(-1);
        const problems: string[] = [];
        // Asked to act on behalf of someone, the platform ran the call as the service account and left the
        // on-behalf stamp empty: Dataverse's silent no-ops (docs/protocol.md §13.2). A verdict of its own.
        let notStamped = false;
        let mismatched = false;
        const expectBy = w.on_behalf_of_id ?? w.service_account_id;
        const expectOnBehalf = w.on_behalf_of_id ? w.service_account_id : null;
        const check = (byField: string, onBehalfField: string) => {
          const by = ref(a[byField]);
          const ob = ref(a[onBehalfField]);
          const problemsBefore = problems.length;
          if (expectBy && by?.id !== expectBy)
            problems.push(`${byField} is ${by?.name ?? by?.id ?? 'empty'}, expected ${expectBy}`);
          if (expectOnBehalf && !ob)
            problems.push(`impersonation was requested but ${onBehalfField} is empty`);
          else if (expectOnBehalf && ob?.id !== expectOnBehalf)
            problems.push(`${onBehalfField} is ${ob?.name ?? ob?.id}, expected the service account`);
          else if (!expectOnBehalf && ob)
            problems.push(
              `${onBehalfField} is set (${ob.name ?? ob.id}) for a call made without impersonation`,
            );
          if (problems.length === problemsBefore) return;
          // The on-behalf stamp is empty and no one else acted: the platform ran the call as the service account
          // (or as the user, unstamped). Anyone else stamped means the record was changed by another: a mismatch.
          const unstamped =
            expectOnBehalf !== null && !ob && (!by || by.id === expectBy || by.id === w.service_account_id);
          if (unstamped) notStamped = true;
          else mismatched = true;
        };
        if (w.operation === 'Create') check('createdby', 'createdonbehalfby');
        if (latest) check('modifiedby', 'modifiedonbehalfby');
        const verdict: Reconciliation = mismatched ? 'mismatch' : notStamped ? 'not-stamped' : 'match';
        await this.mark(orgId, [w.id], verdict, problems.join('; ') || null);
        if (verdict === 'not-stamped') report.notStamped++;
        else report[verdict]++;
      }
    }

    // Changes stamped with the service account that the ledger does not know, unless a Create whose reply was
    // lost explains them (lost-replies.ts).
    // Changes the ledger does not know are looked for with CRM 4.0's RetrieveMultiple; a Dataverse org's are not yet.
    if (org.serviceAccountUserId && !dataverse) {
      const sa = org.serviceAccountUserId;
      const lost = await this.ledger.lostCreates(orgId, since);
      const unexplained: { entity: string; e: Entity; rec: CreatedRecord }[] = [];
      const unknown: { entity: string; e: Entity; rec: CreatedRecord }[] = [];
      for (const entity of WATCHED_ENTITIES) {
        let page: Entity[];
        try {
          page = (
            await this.tickets.run(orgId, (s) =>
              s.retrieveMultiple({
                entityName: entity,
                columns: [`${entity}id`, ...STAMPS],
                criteria: {
                  conditions: [
                    { attribute: 'modifiedon', operator: 'OnOrAfter', values: [since.toISOString()] },
                  ],
                },
                pageInfo: { pageNumber: 1, count: 500 },
              }),
            )
          ).entities;
        } catch (err) {
          this.logger.warn(
            `reconcile ${orgId} ${entity}: ${err instanceof Error ? err.message : String(err)}`,
          );
          continue;
        }
        for (const e of page) {
          const id = idText(e.attributes[`${entity}id`]);
          if (!id || known.has(`${entity}|${id}`)) continue;
          const touched = ['createdby', 'createdonbehalfby', 'modifiedby', 'modifiedonbehalfby'].some(
            (f) => ref(e.attributes[f])?.id === sa,
          );
          if (!touched) continue;
          const rec = createdRecord(entity, id, e);
          // A keyed Create named its record before the call: its row links by that id, unless another row names the
          // record too (a re-sent Create that completed it: then this one did not create it).
          const keyed = lost.filter((r) => r.entity === entity && r.record_id === id);
          if (keyed.length > 0) {
            const ids = keyed.map((r) => r.id);
            if (await this.ledger.hasCallOn(orgId, entity, id, ids)) continue;
            // Two lost Creates named it (the first and its re-sent copy): either could have made it.
            if (keyed.length > 1) report.ambiguous.push({ entity, recordId: id, ledgerIds: ids });
            else if (!(await this.linkLost(orgId, keyed[0]!, rec, e, 'id', report)))
              unknown.push({ entity, e, rec });
            continue;
          }
          if (await this.ledger.hasCallOn(orgId, entity, id)) continue;
          unexplained.push({ entity, e, rec });
        }
      }
      const matches = matchLostCreates(
        lost,
        unexplained.map((u) => u.rec),
      );
      const linked = new Set<CreatedRecord>();
      for (const { row, record } of matches.links) {
        const u = unexplained.find((x) => x.rec === record)!;
        if (await this.linkLost(orgId, row, record, u.e, 'inference', report)) linked.add(record);
      }
      for (const a of matches.ambiguous)
        report.ambiguous.push({
          entity: a.record.entity,
          recordId: a.record.id,
          ledgerIds: a.rows.map((r) => r.id),
        });
      // A link that did not take (another run judged the row meanwhile) leaves the record an unknown change.
      for (const { entity, e, rec } of [...unknown, ...unexplained.filter((u) => !linked.has(u.rec))]) {
        await this.saveStamps(orgId, entity, rec.id, e);
        report.unknownChanges++;
        report.unknown.push({
          entity,
          recordId: rec.id,
          modifiedon: typeof e.attributes.modifiedon === 'string' ? e.attributes.modifiedon : null,
        });
      }
    }
    return report;
  }

  /**
   * A pending row older than `afterSec` (ONBEHALF_RECONCILE_PENDING_AFTER_SEC, 20 minutes by
   * default: longer than the slowest live call, see DEFAULT_RECONCILE_PENDING_AFTER_SEC) was cut off by a crash or a lost reply. It is
   * marked failed with the code CRASHED_UNKNOWN_OUTCOME; a Create that did land is linked to its
   * record by the unknown-change scan (lost-replies.ts), or reported there when it cannot be told apart.
   */
  private async resolvePending(orgId: string, afterSec: number): Promise<number> {
    const pend = await this.ledger.stalePending(orgId, afterSec);
    for (const p of pend) await this.ledger.failPendingAsCrashed(orgId, p.id);
    return pend.length;
  }

  /**
   * Links a Create whose reply was lost to the record CRM holds for it, saves the record's stamps and reports it;
   * whether the link took (not when another run judged the row meanwhile).
   * Linked by its id: a match when CRM's created… stamps are the ones the call asked for, else a mismatch.
   * Linked by inference: the stamps are part of the match.
   */
  private async linkLost(
    orgId: string,
    row: LostCreate,
    rec: CreatedRecord,
    e: Entity,
    by: 'id' | 'inference',
    report: ReconcileReport,
  ): Promise<boolean> {
    const asked = createdAsRowAsked(row, rec);
    const note = lostReplyNote(row, rec, by);
    const linked = await this.ledger.linkLostCreate(
      orgId,
      row.id,
      rec.id,
      asked ? 'match' : 'mismatch',
      asked ? note : `${note}, but its created… stamps are not the ones this call asked for`,
    );
    if (!linked) return false;
    await this.saveStamps(orgId, rec.entity, rec.id, e);
    report.linked.push({ entity: rec.entity, recordId: rec.id, ledgerId: row.id, by });
    return true;
  }

  /** Seals the rows resolvePending made final, now rather than at the next ledger-seal run; never fails the run. */
  private async sealSettled(orgId: string): Promise<void> {
    if (!this.chain) return;
    try {
      await this.chain.sealOrg(orgId, Date.now() + SEAL_SETTLED_BUDGET_MS);
    } catch (err) {
      this.logger.warn(
        `reconcile ${orgId}: sealing the settled rows failed (the ledger-seal job retries): ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  private async mark(
    orgId: string,
    ids: string[],
    verdict: Reconciliation,
    note: string | null,
  ): Promise<void> {
    await this.ledger.markReconciliation(orgId, ids, verdict, note);
  }

  private async saveStamps(orgId: string, entity: string, recordId: string, e: Entity | null): Promise<void> {
    const a = e?.attributes ?? {};
    const j = (f: string) => (e ? JSON.stringify(ref(a[f])) : null);
    const d = (f: string) =>
      typeof a[f] === 'string' && !Number.isNaN(Date.parse(a[f] as string)) ? new Date(a[f] as string) : null;
    await this.ledger.saveStamps({
      orgId,
      entity,
      recordId,
      createdby: j('createdby'),
      createdonbehalfby: j('createdonbehalfby'),
      modifiedby: j('modifiedby'),
      modifiedonbehalfby: j('modifiedonbehalfby'),
      ownerid: j('ownerid'),
      createdon: d('createdon'),
      modifiedon: d('modifiedon'),
      existsInCrm: e !== null,
    });
  }

  /** Records the stamps of one record right after a call (the console's "test as an end user"). */
  async pullStamps(orgId: string, entity: string, recordId: string): Promise<RecordStamps> {
    const { entity: e } = await this.tickets.run(orgId, (s) =>
      s.retrieve({ entityName: entity, id: recordId, columns: STAMPS }),
    );
    await this.saveStamps(orgId, entity, recordId, e);
    return {
      createdby: ref(e.attributes.createdby),
      createdonbehalfby: ref(e.attributes.createdonbehalfby),
      modifiedby: ref(e.attributes.modifiedby),
      modifiedonbehalfby: ref(e.attributes.modifiedonbehalfby),
      ownerid: ref(e.attributes.ownerid),
    };
  }
}

function ref(v: unknown): Ref {
  if (v && typeof v === 'object' && 'id' in v) {
    const l = v as Lookup;
    return { id: l.id, name: l.name ?? null };
  }
  return null;
}

/** A record's creation stamps, for matching it with a lost Create (ids lower case, as Postgres writes uuids). */
function createdRecord(entity: string, id: string, e: Entity): CreatedRecord {
  const a = e.attributes;
  const created = typeof a.createdon === 'string' ? new Date(a.createdon) : null;
  return {
    entity,
    id,
    createdby: ref(a.createdby)?.id.toLowerCase() ?? null,
    createdonbehalfby: ref(a.createdonbehalfby)?.id.toLowerCase() ?? null,
    createdon: created && !Number.isNaN(created.getTime()) ? created : null,
  };
}

function idText(v: unknown): string | null {
  return typeof v === 'string' ? v.replace(/[{}]/g, '').toLowerCase() : null;
}
