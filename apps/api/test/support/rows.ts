/**
 * Rows that the database-level specs need under what they test: a certificate row that only satisfies the
 * schema (no usable key: nothing signs with it) and active orgs on it. Each spec runs on its own database.
 */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** A placeholder certificate row; returns its id. */
export async function insertPlaceholderCertificate(db: Queryable): Promise<string> {
  const [row] = (await db.query(
    `INSERT INTO certificates (name, service_account_live_id, subject, issuer, serial_number, thumbprint_sha1_hex,
       thumbprint_sha1_base64, thumbprint_sha256, not_before, not_after, status, certificate_pem, private_key_enc, kek_id)
     VALUES ('test', 'svc@example.test', 'CN=t', 'CN=t', '01', 'aa', 'qq==', 'ff', now(), now() + interval '1 year',
       'valid', 'PEM', '\\x00', 'test') RETURNING id`,
  )) as { id: string }[];
  return row!.id;
}

/** An active org on the certificate; returns its id. */
export async function insertActiveOrg(
  db: Queryable,
  certificateId: string,
  friendlyName: string,
  discoveryUrl = 'https://dev.crm.dynamics.com',
): Promise<string> {
  const [row] = (await db.query(
    `INSERT INTO orgs (discovery_url, friendly_name, certificate_id, status) VALUES ($1, $2, $3, 'active') RETURNING id`,
    [discoveryUrl, friendlyName, certificateId],
  )) as { id: string }[];
  return row!.id;
}
