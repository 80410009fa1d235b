import type { IncomingMessage } from 'node:http';
import { CrmFault } from '../soap/crm-error-codes.constants';
import { WS6_NS, WS_NS } from '../soap/namespaces.constants';
import { soapAction, versionFromContentType } from '../soap/soap-action.util';
import { crmFaultXml, soapContentType, soapEnvelope } from '../soap/soap-writer';
import type { EmulatorContext, HttpReply, PreparedCall, SoapService } from '../http/emulator.context';
import { isGuid } from '../state/state.store';
import { SoapParseError, type SoapEnvelope, type SoapVersion } from '../xml/soap-envelope.parser';
import { escapeXmlAttr } from '../xml/xml-escape.util';
import { nsChild, text, type XmlValue } from '../xml/xml-node.util';
import { checkCrmBody, xsiType } from './crm-body.checks';
import { readAuthToken, requireRight, resolveCaller, type CrmCaller } from './crm-caller.resolver';
import {
  createRecord,
  deleteRecord,
  entityMetadata,
  findRecord,
  nameResolver,
  recordsOf,
  requireAttributes,
  updateRecord,
} from './crm-records.service';
import { braceGuid, recordXml } from './entity.serializer';
import {
  parseColumnSet,
  parsePagingCookie,
  parseQueryExpression,
  queryAttributes,
  runQuery,
} from './query-expression.engine';

/** CrmService operations (docs/protocol.md §3, §5.2); Fetch is declared but not offered by the emulator. */
export const CRM_OPERATIONS = [
  'Execute',
  'Retrieve',
  'RetrieveMultiple',
  'Create',
  'Update',
  'Delete',
] as const;
type CrmOperation = (typeof CRM_OPERATIONS)[number];

const ACTION_PREFIX = `${WS_NS}/`;

function reply(version: SoapVersion, body: string): HttpReply {
  return {
    status: 200,
    headers: { 'content-type': soapContentType(version) },
    body: soapEnvelope(version, body),
  };
}

/**
 * Picks the operation from SOAPAction / the 1.2 action parameter, falling back on the body element,
 * whose wrapper must be the operation's element in 2007/WebServices.
 */
function resolveOperation(envelope: SoapEnvelope, req: IncomingMessage): CrmOperation {
  const action = soapAction(req);
  let op: string = envelope.bodyName;
  if (action !== undefined) {
    if (!action.startsWith(ACTION_PREFIX)) {
      throw new CrmFault(
        'InvalidArgument',
        `Server did not recognize the value of HTTP Header SOAPAction: ${action}.`,
        'Client',
      );
    }
    op = action.slice(ACTION_PREFIX.length);
    if (op !== envelope.bodyName) {
      throw new CrmFault(
        'InvalidArgument',
        `SOAPAction ${op} does not match the body element ${envelope.bodyName}.`,
        'Client',
      );
    }
  }
  if (!(CRM_OPERATIONS as readonly string[]).includes(op)) {
    throw new CrmFault('InvalidArgument', `Server did not recognize the operation '${op}'.`, 'Client');
  }
  if (envelope.bodyNs !== WS_NS) {
    // As XmlSerializer words it: the wrapper is known only in its own namespace.
    throw new CrmFault(
      'InvalidArgument',
      `<${envelope.bodyName} xmlns='${envelope.bodyNs}'> was not expected; ${op} is in ${WS_NS}.`,
      'Client',
    );
  }
  return op as CrmOperation;
}

/**
 * `POST /MSCrmServices/2007/CrmService.asmx`: Execute(WhoAmI), Retrieve, RetrieveMultiple, Create,
 * Update and Delete, with the CrmAuthenticationToken checks and on-behalf stamping of CRM Online.
 */
export class CrmServiceHandler implements SoapService {
  readonly endpoint = 'crm' as const;

  constructor(private readonly ctx: EmulatorContext) {}

  prepare(envelope: SoapEnvelope, req: IncomingMessage): PreparedCall {
    const op = resolveOperation(envelope, req);
    checkCrmBody(op, envelope.bodyElement);
    let label: string = op;
    let executeType: string | undefined;
    if (op === 'Execute') {
      const request = nsChild(envelope.bodyElement, WS_NS, 'Request');
      executeType = request && xsiType(request)?.local;
      label = executeType?.replace(/Request$/, '') ?? 'Execute';
    }
    const token = readAuthToken(envelope.header);
    const claims = token.crmTicket ? this.ctx.tickets.readCrm(token.crmTicket) : undefined;
    const scenarioCtx = {
      org: token.organizationName?.toLowerCase(),
      account: claims?.liveId,
      user: token.callerId,
    };
    const run = (): HttpReply => {
      const call = resolveCaller(this.ctx, token, claims);
      return reply(envelope.version, this.dispatch(op, executeType, call, envelope));
    };
    return {
      operation: label,
      ctx: scenarioCtx,
      // A barrier (`/_control/crm/barrier`) holds the call before its ticket is checked.
      run: () => this.ctx.barrier.hold(label)?.then(run) ?? run(),
    };
  }

  faultReply(error: unknown, envelope: SoapEnvelope | undefined, req: IncomingMessage): HttpReply {
    return crmFaultReply(error, envelope?.version ?? versionFromContentType(req), this.ctx);
  }

  private dispatch(
    op: CrmOperation,
    executeType: string | undefined,
    call: CrmCaller,
    envelope: SoapEnvelope,
  ): string {
    const body = envelope.bodyElement;
    const param = (name: string): XmlValue | undefined => nsChild(body, WS_NS, name);
    switch (op) {
      case 'Execute':
        return this.execute(executeType, call);
      case 'Retrieve': {
        const entity = (text(param('entityName')) ?? '').trim();
        const id = (text(param('id')) ?? '').trim();
        const meta = entityMetadata(entity);
        if (!isGuid(id)) throw new CrmFault('InvalidArgument', `'${id}' is not a GUID.`);
        requireRight(this.ctx, call, entity, 'read');
        const columns = parseColumnSet(param('columnSet'));
        if (columns !== 'all') requireAttributes(entity, meta, columns);
        const record = findRecord(this.ctx, call.org, entity, id);
        const attrs = recordXml(
          record,
          columns,
          meta.primaryKey,
          call.org,
          nameResolver(this.ctx, call.org),
          '        ',
          'q1:',
        );
        // The entity type and its attributes are in the 2007 namespace, named by a q1 prefix
        // as ASMX's XmlSerializer writes a derived type (docs/protocol.md, entities on the wire).
        return (
          `    <RetrieveResponse xmlns="${WS_NS}">\n` +
          `      <RetrieveResult xsi:type="q1:${escapeXmlAttr(entity)}" xmlns:q1="${WS_NS}">\n${attrs}      </RetrieveResult>\n` +
          `    </RetrieveResponse>\n`
        );
      }
      case 'RetrieveMultiple':
        return this.retrieveMultiple(call, envelope);
      case 'Create': {
        const entityNode = param('entity');
        // The entity type is a 2007 WebServices type (docs/protocol.md §5.2), checked by checkCrmBody.
        const entity = entityTypeOf(entityNode);
        entityMetadata(entity);
        requireRight(this.ctx, call, entity, 'create');
        if (!entityNode) throw new CrmFault('InvalidArgument', 'Create needs an entity.');
        const id = createRecord(this.ctx, call, entity, entityNode);
        return (
          `    <CreateResponse xmlns="${WS_NS}">\n` +
          `      <CreateResult>${id}</CreateResult>\n` +
          `    </CreateResponse>\n`
        );
      }
      case 'Update': {
        const entityNode = param('entity');
        const entity = entityTypeOf(entityNode);
        entityMetadata(entity);
        requireRight(this.ctx, call, entity, 'write');
        if (!entityNode) throw new CrmFault('InvalidArgument', 'Update needs an entity.');
        updateRecord(this.ctx, call, entity, entityNode);
        return `    <UpdateResponse xmlns="${WS_NS}" />\n`;
      }
      case 'Delete': {
        const entity = (text(param('entityName')) ?? '').trim();
        entityMetadata(entity);
        requireRight(this.ctx, call, entity, 'delete');
        deleteRecord(this.ctx, call, entity, (text(param('id')) ?? '').trim());
        return `    <DeleteResponse xmlns="${WS_NS}" />\n`;
      }
    }
  }

  private execute(executeType: string | undefined, call: CrmCaller): string {
    if (executeType !== 'WhoAmIRequest') {
      throw new CrmFault(
        'NotImplemented',
        `The request type '${executeType ?? '(none)'}' is not supported by the emulator; only WhoAmIRequest is.`,
      );
    }
    // UserId is the authenticated caller (the service account) even when CallerId is set: the SDK's
    // impersonation sample reads "the impersonating user" from WhoAmI while impersonating
    // (docs/protocol.md, WhoAmI). Children in the order of the proxy class: UserId first.
    return (
      `    <ExecuteResponse xmlns="${WS_NS}">\n` +
      `      <Response xsi:type="WhoAmIResponse">\n` +
      `        <UserId>${call.caller.id}</UserId>\n` +
      `        <BusinessUnitId>${call.org.businessUnitId}</BusinessUnitId>\n` +
      `        <OrganizationId>${call.org.id}</OrganizationId>\n` +
      `      </Response>\n` +
      `    </ExecuteResponse>\n`
    );
  }

  private retrieveMultiple(call: CrmCaller, envelope: SoapEnvelope): string {
    const query = parseQueryExpression(nsChild(envelope.bodyElement, WS_NS, 'query'));
    const meta = entityMetadata(query.entityName);
    requireAttributes(query.entityName, meta, queryAttributes(query));
    requireRight(this.ctx, call, query.entityName, 'read');
    const cursor =
      query.pagingCookie === undefined ? undefined : parsePagingCookie(query.pagingCookie, meta.primaryKey);
    const page = runQuery(recordsOf(this.ctx, call.org, query.entityName), query, cursor);
    const resolve = nameResolver(this.ctx, call.org);
    const first = page.records[0];
    const last = page.records[page.records.length - 1];
    const cookie =
      first && last
        ? `<cookie page="${query.pageNumber}"><${meta.primaryKey} last="${braceGuid(last.id)}" first="${braceGuid(first.id)}" /></cookie>`
        : '';
    let entities = '';
    for (const record of page.records) {
      entities +=
        `          <BusinessEntity xsi:type="q1:${query.entityName}" xmlns:q1="${WS_NS}">\n` +
        recordXml(record, query.columns, meta.primaryKey, call.org, resolve, '            ', 'q1:') +
        `          </BusinessEntity>\n`;
    }
    const result =
      `      <RetrieveMultipleResult EntityName="${query.entityName}" MoreRecords="${page.moreRecords ? 1 : 0}" PagingCookie="${escapeXmlAttr(cookie)}">\n` +
      // BusinessEntities and BusinessEntity belong to BusinessEntityCollection, a 2006 type.
      (entities
        ? `        <BusinessEntities xmlns="${WS6_NS}">\n${entities}        </BusinessEntities>\n`
        : `        <BusinessEntities xmlns="${WS6_NS}" />\n`) +
      `      </RetrieveMultipleResult>\n`;
    return `    <RetrieveMultipleResponse xmlns="${WS_NS}">\n${result}    </RetrieveMultipleResponse>\n`;
  }
}

/** The entity's logical name: the local name of its xsi:type ('' when it has none). */
function entityTypeOf(entityNode: XmlValue | undefined): string {
  return entityNode ? (xsiType(entityNode)?.local ?? '') : '';
}

/** Turns an error into a CRM fault reply; unexpected errors become a generic platform fault. */
export function crmFaultReply(error: unknown, version: SoapVersion, ctx: EmulatorContext): HttpReply {
  let fault: CrmFault;
  if (error instanceof CrmFault) {
    fault = error;
  } else if (error instanceof SoapParseError) {
    fault = new CrmFault('InvalidArgument', error.message, 'Client', error.httpStatus);
  } else {
    ctx.log(`crm: unexpected error: ${(error as Error).message}`);
    fault = new CrmFault('InvalidArgument', 'The request could not be processed.');
  }
  return {
    status: fault.httpStatus,
    headers: { 'content-type': soapContentType(version) },
    body: crmFaultXml(version, fault),
  };
}
