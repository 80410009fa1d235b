import { badRequest } from '../common/domain-exception';
import type { LedgerCursor } from '../crm/ledger-query';

/**
 * The ledger search's page tokens, as the API hands them out: an opaque, checked form of a position in
 * (at DESC, id DESC) order. The search itself (its SQL) is the crm context's: crm/ledger-query.ts.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AT_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export const isUuid = (s: string) => UUID.test(s);

export function encodeCursor(c: LedgerCursor): string {
  return Buffer.from(`${c.at}|${c.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(raw: string): LedgerCursor {
  const [at, id, ...rest] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !at || !id || !AT_KEY.test(at) || !UUID.test(id) || Number.isNaN(Date.parse(at))) {
    throw badRequest('INVALID_CURSOR', 'The cursor is not one this API returned. Start again without it.');
  }
  return { at, id: id.toLowerCase() };
}
