// The floor under the API's cost per call: the least a server can do for one impersonated Create and still do
// what the API must do. node:http and nothing else in front (no framework, no validation beyond JSON.parse, no
// auth), then the API's three steps: a ledger row written durably before CRM is called (one INSERT, its own
// commit), the Create through crm-auth's CrmServiceClient with the caller's id, and the row completed (one
// UPDATE). The bench runs it beside the API (bench/suites/api.mjs, `apiFloorVsDirectThroughputRatio`) so that
// the API's CPU per call can be split into what any server pays here and what the API adds on top.
//
// Started by the bench as a child process with FLOOR_CONFIG (JSON: port, databaseUrl, crmServiceUrl, caPem, token,
// connections); prints `floor listening on <url>` when ready. Not part of the product.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { CrmServiceClient, HttpsTransport } = require('@onbehalf/crm-auth');
const { Pool } = require('pg');

const cfg = JSON.parse(process.env.FLOOR_CONFIG ?? '{}');
const pool = new Pool({ connectionString: cfg.databaseUrl, max: cfg.connections });
const transport = new HttpsTransport({ ca: [cfg.caPem], connections: cfg.connections });
const crm = new CrmServiceClient({ url: cfg.crmServiceUrl, transport });

const reply = (res, status, body) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

async function create(body) {
  const { entity, attributes, callerId } = JSON.parse(body);
  const row = await pool.query(
    `INSERT INTO floor_calls (operation, entity, on_behalf_of_id, outcome) VALUES ('Create', $1, $2, 'pending') RETURNING id`,
    [entity, callerId],
  );
  const t0 = performance.now();
  const { id } = await crm.create({ ...cfg.token, callerId }, { logicalName: entity, attributes });
  await pool.query(
    `UPDATE floor_calls SET outcome = 'completed', record_id = $2, completed_at = now(), latency_ms = $3 WHERE id = $1`,
    [row.rows[0].id, id, Math.round(performance.now() - t0)],
  );
  return { id, ledgerId: row.rows[0].id };
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    create(Buffer.concat(chunks).toString('utf8')).then(
      (r) => reply(res, 201, r),
      (err) => reply(res, 500, { code: 'FLOOR_FAILED', message: String(err?.message ?? err) }),
    );
  });
});
server.keepAliveTimeout = 60_000;

server.listen(cfg.port, '127.0.0.1', () => console.log(`floor listening on http://127.0.0.1:${cfg.port}`));

const stop = () => {
  server.close();
  server.closeAllConnections();
  Promise.allSettled([pool.end(), crm.close(), transport.close()]).then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
