import type { PipeTransform } from '@nestjs/common';
import { DomainException } from '../../common/domain-exception';

/**
 * The record routes' bodies, checked by plain code written for their two shapes instead of class-validator and
 * class-transformer, which cost about 0.19 ms of CPU per call on the API's hottest route (bench/profile.mjs).
 * The rules are those of WriteRecordDto and WhoAmIDto (record.dto.ts, which still describe the bodies to
 * OpenAPI), with the same codes and messages; record-body.pipe.spec.ts runs both over the same payloads.
 * One difference, on purpose: an array in place of `onBehalfOf` is refused. class-validator validated each
 * element and let the array through, and the call then ran as the service account, not as the user named.
 */
export interface OnBehalfOf {
  puid?: string;
  userId?: string;
  entraObjectId?: string;
}

export interface WriteRecordBody {
  attributes: Record<string, unknown>;
  onBehalfOf?: OnBehalfOf | null;
}

export interface WhoAmIBody {
  onBehalfOf?: OnBehalfOf | null;
}

interface FieldProblem {
  field: string;
  problems: string[];
}

const HEX_PUID = /^[0-9A-Fa-f]{16}$/;
// class-validator's IsUUID('all'): versions 1 to 8 with the RFC 9562 variant, and the nil and max UUIDs.
const ANY_UUID =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/i;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function refuse(problems: FieldProblem[]): never {
  throw new DomainException(
    400,
    'VALIDATION_FAILED',
    problems.flatMap((p) => p.problems).join('; ') || 'Invalid request.',
    { fields: problems },
  );
}

function unknownKeys(
  value: Record<string, unknown>,
  known: readonly string[],
  prefix: string,
): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      out.push({ field: prefix + key, problems: [`property ${prefix}${key} should not exist`] });
  }
  return out;
}

const ON_BEHALF_OF_KEYS = ['puid', 'userId', 'entraObjectId'] as const;

function checkOnBehalfOf(value: unknown, problems: FieldProblem[]): OnBehalfOf | null | undefined {
  if (value === undefined || value === null) return value;
  if (!isPlainObject(value)) {
    problems.push({ field: 'onBehalfOf', problems: ['onBehalfOf must be an object'] });
    return undefined;
  }
  problems.push(...unknownKeys(value, ON_BEHALF_OF_KEYS, 'onBehalfOf.'));
  const { puid, userId, entraObjectId } = value;
  if (puid !== undefined && puid !== null) {
    const p: string[] = [];
    if (typeof puid !== 'string') p.push('onBehalfOf.puid must be a string');
    if (typeof puid !== 'string' || !HEX_PUID.test(puid))
      p.push('onBehalfOf.puid must be 16 hexadecimal digits (HexPUID)');
    if (p.length) problems.push({ field: 'onBehalfOf.puid', problems: p });
  }
  for (const [name, v] of [
    ['userId', userId],
    ['entraObjectId', entraObjectId],
  ] as const) {
    if (v !== undefined && v !== null && (typeof v !== 'string' || !ANY_UUID.test(v)))
      problems.push({ field: `onBehalfOf.${name}`, problems: [`onBehalfOf.${name} must be a UUID`] });
  }
  const out: OnBehalfOf = {};
  if (puid !== undefined && puid !== null) out.puid = puid as string;
  if (userId !== undefined && userId !== null) out.userId = userId as string;
  if (entraObjectId !== undefined && entraObjectId !== null) out.entraObjectId = entraObjectId as string;
  return out;
}

function checkBody(body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) refuse([{ field: '', problems: ['The request body must be a JSON object.'] }]);
  return body;
}

/** Create and Update: `{ attributes: {...}, onBehalfOf?: { puid | userId | entraObjectId } }`. */
export function parseWriteRecordBody(raw: unknown): WriteRecordBody {
  const body = checkBody(raw);
  const problems = unknownKeys(body, ['attributes', 'onBehalfOf'], '');
  const { attributes } = body;
  if (!isPlainObject(attributes))
    problems.push({ field: 'attributes', problems: ['attributes must be an object'] });
  const onBehalfOf = checkOnBehalfOf(body.onBehalfOf, problems);
  if (problems.length) refuse(problems);
  const out: WriteRecordBody = { attributes: attributes as Record<string, unknown> };
  if (onBehalfOf !== undefined) out.onBehalfOf = onBehalfOf;
  return out;
}

/** WhoAmI: `{ onBehalfOf?: ... }`, or no body at all. */
export function parseWhoAmIBody(raw: unknown): WhoAmIBody {
  if (raw === undefined) return {};
  const body = checkBody(raw);
  const problems = unknownKeys(body, ['onBehalfOf'], '');
  const onBehalfOf = checkOnBehalfOf(body.onBehalfOf, problems);
  if (problems.length) refuse(problems);
  return onBehalfOf === undefined ? {} : { onBehalfOf };
}

export class WriteRecordBodyPipe implements PipeTransform<unknown, WriteRecordBody> {
  transform(value: unknown): WriteRecordBody {
    return parseWriteRecordBody(value);
  }
}

export class WhoAmIBodyPipe implements PipeTransform<unknown, WhoAmIBody> {
  transform(value: unknown): WhoAmIBody {
    return parseWhoAmIBody(value);
  }
}
