import { expect } from 'vitest';
import type { ConsoleClient } from '../harness';

/** A minimal RFC 4180 reader: quoted fields, doubled quotes, CRLF records (as the export writes them), line breaks inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field || row.length) throw new Error('CSV does not end with CRLF');
  return rows;
}

/** One ledger row of an org's CSV export (GET /api/audit/export.csv), by column name. */
export async function exportedRow(
  admin: ConsoleClient,
  orgId: string,
  ledgerId: string,
): Promise<Record<string, string>> {
  const res = await admin.get(`/api/audit/export.csv?orgId=${orgId}`);
  expect(res.status).toBe(200);
  const [header, ...rows] = parseCsv(await res.text());
  const row = rows.find((r) => r[0] === ledgerId);
  expect(row, `ledger row ${ledgerId} in the CSV export`).toBeDefined();
  return Object.fromEntries(header!.map((h, i) => [h, row![i] ?? '']));
}
