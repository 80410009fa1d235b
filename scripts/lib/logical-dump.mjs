// A logical dump of a Postgres database, written and read by Node alone (`npm run backup` / `npm run restore`).
//
// Why not pg_dump: the embedded Postgres package ships only initdb, pg_ctl and postgres, and a pg_dump
// older than the server refuses to dump it (Debian 12's is 15, the embedded server 17). So the schema
// is read from the catalogs (pg_get_*def, as pg_dump does) and the rows as text (each row's record
// literal, which casts back to the table's row type exactly: the types' own text I/O).
//
// The file: gzip of JSON lines. A header (format, server, migrations, the schema's fingerprint), the
// pre-data DDL (schemas, extensions, enums, functions, sequences, tables, partitions), the rows of
// each table in chunks, the post-data DDL (constraints, indexes, triggers, sequence positions), and
// an end line with the row counts. A restore runs in one transaction and, before it commits, checks
// the counts and that the restored schema has the dumped fingerprint; a failed restore leaves nothing.
//
// What it refuses (UNSUPPORTED_OBJECT) rather than silently leave out: views, materialized views,
// domains, composite and range types, foreign tables, rules, non-partition inheritance, large objects.
// The Onbehalf schema (and pg-boss's) has none of them. Row-level security (ENABLE, FORCE and each
// policy) is carried, after the rows, like the triggers.
import { once } from 'node:events';
import {
  constants,
  copyFileSync,
  createReadStream,
  createWriteStream,
  existsSync,
  linkSync,
  rmSync,
  unlinkSync,
} from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip, createGzip } from 'node:zlib';

export const FORMAT = 'onbehalf-logical-dump';
/** The API's migration advisory lock (apps/api/src/database/migrate.ts): every API start takes it. */
const MIGRATION_LOCK = `hashtext('onbehalf:migrations')`;
export const FORMAT_VERSION = 1;
const ROWS_PER_LINE = 500;
const PROGRESS_EVERY = 50_000;

/** A failure meant for the operator: a stable code and a one-line message. */
export class DumpError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'DumpError';
    this.code = code;
  }
}

/** A connection URL with its password replaced by *** (for every line an operator sees). */
export function maskUrl(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    // a libpq-style URL that is no WHATWG URL (postgres://user:pw@/db?host=/socket): mask by its shape
    if (/^postgres(ql)?:\/\//i.test(url)) return url.replace(/^([^:]+:\/\/[^:@/]*):[^@]*@/, '$1:***@');
    return '(unparseable URL)';
  }
}

const SYSTEM_SCHEMAS = `('pg_catalog', 'information_schema', 'pg_toast')`;
const OURS = (col) =>
  `${col} NOT IN ${SYSTEM_SCHEMAS} AND ${col} NOT LIKE 'pg\\_temp\\_%' AND ${col} NOT LIKE 'pg\\_toast\\_temp\\_%'`;
/** Objects that belong to an extension come back with CREATE EXTENSION, never one by one. */
const NOT_EXT = (catalog, oid) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

/**
 * Both ends read and write values as text in the same, unambiguous styles (whatever the servers'
 * defaults); names come out schema-qualified (empty search_path).
 */
const SESSION = `SET LOCAL search_path = ''; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'postgres';
  SET LOCAL TimeZone = 'UTC'; SET LOCAL extra_float_digits = 3; SET LOCAL bytea_output = 'hex'`;

const ident = (s) => `"${String(s).replace(/"/g, '""')}"`;
const qname = (schema, name) => `${ident(schema)}.${ident(name)}`;
const literal = (s) => `'${String(s).replace(/'/g, "''")}'`;

/** Everything that must exist for a dump to be complete and is not supported: named, so nothing is left out silently. */
async function unsupported(c) {
  const { rows } = await c.query(`
    SELECT 'view or foreign table ' || n.nspname || '.' || c.relname AS what
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE ${OURS('n.nspname')} AND c.relkind IN ('v', 'm', 'f') AND ${NOT_EXT('pg_class', 'c.oid')}
    UNION ALL
    SELECT 'type ' || n.nspname || '.' || t.typname
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE ${OURS('n.nspname')} AND ${NOT_EXT('pg_type', 't.oid')}
       AND (t.typtype IN ('d', 'r', 'm')
            OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
    UNION ALL
    SELECT 'rule ' || r.rulename || ' on ' || r.ev_class::regclass::text
      FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE ${OURS('n.nspname')} AND r.rulename <> '_RETURN'

    UNION ALL
    SELECT 'table inheritance of ' || i.inhrelid::regclass::text
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE ${OURS('n.nspname')} AND c.relkind IN ('r', 'p') AND NOT c.relispartition
    UNION ALL
    SELECT 'large objects (' || count(*) || ')' FROM pg_largeobject_metadata HAVING count(*) > 0
    UNION ALL
    SELECT 'aggregate or window function ' || n.nspname || '.' || p.proname
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE ${OURS('n.nspname')} AND p.prokind IN ('a', 'w') AND ${NOT_EXT('pg_proc', 'p.oid')}`);
  return rows.map((r) => r.what);
}

/**
 * What the schema is, as sorted lines: a dump carries its database's, and a restore compares the
 * restored database's with it before committing. Names are schema-qualified (search_path is empty).
 */
export async function schemaFingerprint(c) {
  const q = async (sql) => (await c.query(sql)).rows.map((r) => r.line);
  const lines = [
    ...(await q(`SELECT 'schema ' || nspname AS line FROM pg_namespace WHERE ${OURS('nspname')}`)),
    ...(await q(`SELECT 'extension ' || extname AS line FROM pg_extension WHERE extname <> 'plpgsql'`)),
    ...(await q(`
      SELECT 'enum ' || n.nspname || '.' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS line
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE ${OURS('n.nspname')} AND ${NOT_EXT('pg_type', 't.oid')} GROUP BY n.nspname, t.typname`)),
    ...(await q(`
      SELECT 'function ' || pg_get_functiondef(p.oid) AS line
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE ${OURS('n.nspname')} AND p.prokind IN ('f', 'p') AND ${NOT_EXT('pg_proc', 'p.oid')}`)),
    ...(await q(`
      SELECT 'sequence ' || n.nspname || '.' || c.relname || ' ' || format_type(s.seqtypid, NULL) || ' ' ||
             s.seqstart || ' ' || s.seqincrement || ' ' || s.seqmin || ' ' || s.seqmax || ' ' || s.seqcache || ' ' || s.seqcycle AS line
        FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${OURS('n.nspname')} AND ${NOT_EXT('pg_class', 'c.oid')}`)),
    ...(await q(`
      SELECT 'table ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text || c.relpersistence::text ||
             coalesce(' partition by ' || pg_get_partkeydef(c.oid), '') ||
             coalesce(' partition ' || pg_get_expr(c.relpartbound, c.oid), '') AS line
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${OURS('n.nspname')} AND c.relkind IN ('r', 'p') AND ${NOT_EXT('pg_class', 'c.oid')}`)),
    ...(await q(`
      SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) ||
             CASE WHEN a.attnotnull THEN ' not null' ELSE '' END ||
             coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') || ' ' || a.attidentity::text || a.attgenerated::text ||
             ' #' || row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum) AS line
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE ${OURS('n.nspname')} AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
         AND ${NOT_EXT('pg_class', 'c.oid')}`)),
    ...(await q(`
      SELECT 'constraint ' || n.nspname || '.' || c.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid) ||
             coalesce(' of ' || (SELECT conname FROM pg_constraint WHERE oid = NULLIF(k.conparentid, 0)), '') AS line
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${OURS('n.nspname')} AND k.contype <> 'n'`)),
    ...(await q(`
      SELECT 'index ' || pg_get_indexdef(i.indexrelid) ||
             coalesce(' of ' || (SELECT h.inhparent::regclass::text FROM pg_inherits h WHERE h.inhrelid = i.indexrelid), '') AS line
        FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${OURS('n.nspname')} AND ${NOT_EXT('pg_class', 'c.oid')}`)),
    ...(await q(`
      SELECT 'trigger ' || pg_get_triggerdef(t.oid) AS line
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${OURS('n.nspname')} AND NOT t.tgisinternal`)),
    ...(await q(`
      SELECT 'row security ' || n.nspname || '.' || c.relname || CASE WHEN c.relforcerowsecurity THEN ' forced' ELSE '' END AS line
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${OURS('n.nspname')} AND c.relrowsecurity`)),
    ...(await q(`
      SELECT 'policy ' || schemaname || '.' || tablename || ' ' || policyname || ' ' || permissive || ' ' || cmd ||
             ' to ' || array_to_string(roles, ',') || coalesce(' using ' || qual, '') || coalesce(' check ' || with_check, '') AS line
        FROM pg_policies WHERE ${OURS('schemaname')}`)),
    ...(await q(`
      SELECT 'owned ' || n.nspname || '.' || c.relname || ' by ' || d.refobjid::regclass::text || '.' || a.attname AS line
        FROM pg_depend d JOIN pg_class c ON c.oid = d.objid JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
       WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND c.relkind = 'S'
         AND d.deptype IN ('a', 'i') AND ${OURS('n.nspname')}`)),
  ];
  return lines.sort();
}

/** The DDL that recreates the schema: before the rows (tables without constraints) and after them. */
async function schemaDdl(c) {
  const pre = [];
  const post = [];
  const q = async (sql) => (await c.query(sql)).rows;

  const schemas = await q(
    `SELECT nspname FROM pg_namespace n WHERE ${OURS('nspname')} AND ${NOT_EXT('pg_namespace', 'n.oid')} ORDER BY 1`,
  );
  for (const s of schemas) pre.push(`CREATE SCHEMA IF NOT EXISTS ${ident(s.nspname)}`);
  for (const e of await q(`
      SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
       WHERE e.extname <> 'plpgsql' ORDER BY 1`)) {
    pre.push(`CREATE EXTENSION IF NOT EXISTS ${ident(e.extname)} WITH SCHEMA ${ident(e.nspname)}`);
  }
  for (const t of await q(`
      SELECT n.nspname, t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE ${OURS('n.nspname')} AND ${NOT_EXT('pg_type', 't.oid')} GROUP BY 1, 2 ORDER BY 1, 2`)) {
    pre.push(`CREATE TYPE ${qname(t.nspname, t.typname)} AS ENUM (${t.labels.map(literal).join(', ')})`);
  }
  for (const f of await q(`
      SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE ${OURS('n.nspname')} AND p.prokind IN ('f', 'p') AND ${NOT_EXT('pg_proc', 'p.oid')} ORDER BY p.oid`)) {
    pre.push(f.def);
  }

  // Sequences: identity ones come with their column; the others (serial's, standalone) first.
  const sequences = await q(`
      SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL) AS type, s.seqstart, s.seqincrement, s.seqmin,
             s.seqmax, s.seqcache, s.seqcycle,
             EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i') AS identity,
             (SELECT d.refobjid::regclass::text || '.' || quote_ident(a.attname)
                FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
               WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'a'
                 AND d.refclassid = 'pg_class'::regclass) AS owned_by
        FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${OURS('n.nspname')} AND ${NOT_EXT('pg_class', 'c.oid')} ORDER BY 1, 2`);
  const seqOptions = (s) =>
    `AS ${s.type} START WITH ${s.seqstart} INCREMENT BY ${s.seqincrement} MINVALUE ${s.seqmin} MAXVALUE ${s.seqmax} CACHE ${s.seqcache}${s.seqcycle ? ' CYCLE' : ' NO CYCLE'}`;
  const identitySeq = new Map();
  for (const s of sequences) {
    if (s.identity) {
      const owner = (
        await c.query(
          `SELECT d.refobjid AS rel, d.refobjsubid AS col FROM pg_depend d
            WHERE d.classid = 'pg_class'::regclass AND d.objid = $1::regclass AND d.deptype = 'i'`,
          [qname(s.nspname, s.relname)],
        )
      ).rows[0];
      identitySeq.set(`${owner.rel}:${owner.col}`, s);
    } else {
      pre.push(`CREATE SEQUENCE ${qname(s.nspname, s.relname)} ${seqOptions(s)}`);
    }
  }

  const tables = await q(`
      SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence, pg_get_partkeydef(c.oid) AS partkey,
             pg_get_expr(c.relpartbound, c.oid) AS bound,
             (SELECT pn.nspname || '.' || pc.relname FROM pg_inherits h JOIN pg_class pc ON pc.oid = h.inhparent
                JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE h.inhrelid = c.oid) AS parent_name,
             (SELECT quote_ident(pn.nspname) || '.' || quote_ident(pc.relname) FROM pg_inherits h JOIN pg_class pc ON pc.oid = h.inhparent
                JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE h.inhrelid = c.oid) AS parent,
             (SELECT count(*) FROM pg_partition_ancestors(c.oid)) AS depth
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${OURS('n.nspname')} AND c.relkind IN ('r', 'p') AND ${NOT_EXT('pg_class', 'c.oid')}
       ORDER BY depth, n.nspname, c.relname`);
  const columns = await q(`
      SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,
             a.attidentity, a.attgenerated, pg_get_expr(d.adbin, d.adrelid) AS def,
             CASE WHEN a.attcollation <> t.typcollation THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END AS coll
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN pg_collation co ON co.oid = a.attcollation LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
       WHERE a.attnum > 0 AND NOT a.attisdropped
         AND a.attrelid IN (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                             WHERE ${OURS('n.nspname')} AND c.relkind IN ('r', 'p'))
       ORDER BY a.attrelid, a.attnum`);
  const byTable = new Map();
  for (const col of columns) {
    if (!byTable.has(col.attrelid)) byTable.set(col.attrelid, []);
    byTable.get(col.attrelid).push(col);
  }
  const data = [];
  for (const t of tables) {
    const cols = byTable.get(t.oid) ?? [];
    const defs = cols.map((col) => {
      let d = `${ident(col.attname)} ${col.type}`;
      if (col.coll) d += ` COLLATE ${col.coll}`;
      if (col.attgenerated === 's') d += ` GENERATED ALWAYS AS (${col.def}) STORED`;
      else if (col.attidentity) {
        const s = identitySeq.get(`${t.oid}:${col.attnum}`);
        d += ` GENERATED ${col.attidentity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`;
        if (s)
          d += ` (SEQUENCE NAME ${qname(s.nspname, s.relname)} ${seqOptions(s).replace(/^AS \S+ /, '')})`;
      } else if (col.def !== null) d += ` DEFAULT ${col.def}`;
      if (col.attnotnull) d += ' NOT NULL';
      return d;
    });
    const name = qname(t.nspname, t.relname);
    pre.push(
      `CREATE ${t.relpersistence === 'u' ? 'UNLOGGED ' : ''}TABLE ${name} (${defs.join(', ')})` +
        (t.relkind === 'p' ? ` PARTITION BY ${t.partkey}` : ''),
    );
    if (t.parent) pre.push(`ALTER TABLE ${t.parent} ATTACH PARTITION ${name} ${t.bound}`);
    if (t.relkind === 'r') {
      data.push({
        table: name,
        label: `${t.nspname}.${t.relname}`,
        columns: cols.filter((col) => col.attgenerated !== 's').map((col) => col.attname),
        identity: cols.some((col) => col.attidentity),
      });
    }
  }
  for (const s of sequences) {
    if (s.owned_by) pre.push(`ALTER SEQUENCE ${qname(s.nspname, s.relname)} OWNED BY ${s.owned_by}`);
  }

  // Post-data, partitions before their parents: a parent's constraint or index then attaches the
  // partitions' own (same names as dumped) instead of making new ones. Foreign keys and triggers last.
  const deepestFirst = [...tables].sort((a, b) => Number(b.depth) - Number(a.depth));
  const constraints = await q(`
      SELECT k.conrelid, k.conname, k.contype, k.conparentid, pg_get_constraintdef(k.oid) AS def
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${OURS('n.nspname')} AND k.contype IN ('p', 'u', 'x', 'c', 'f') ORDER BY k.conrelid, k.conname`);
  const indexes = await q(`
      SELECT i.indrelid, pg_get_indexdef(i.indexrelid) AS def
        FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${OURS('n.nspname')}
         AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))
       ORDER BY i.indexrelid`);
  const foreign = [];
  for (const t of deepestFirst) {
    const name = qname(t.nspname, t.relname);
    for (const k of constraints.filter((x) => x.conrelid === t.oid)) {
      if (k.contype === 'f') {
        // one a partition inherited from its parent's foreign key comes back with the parent's
        if (Number(k.conparentid) === 0)
          foreign.push(`ALTER TABLE ${name} ADD CONSTRAINT ${ident(k.conname)} ${k.def}`);
      } else {
        post.push(`ALTER TABLE ${name} ADD CONSTRAINT ${ident(k.conname)} ${k.def}`);
      }
    }
    for (const i of indexes.filter((x) => x.indrelid === t.oid))
      post.push(i.def.replace(/ ON ONLY /, ' ON '));
  }
  post.push(...foreign);
  for (const t of await q(`
      SELECT pg_get_triggerdef(t.oid) AS def
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${OURS('n.nspname')} AND NOT t.tgisinternal AND t.tgparentid = 0 ORDER BY t.oid`)) {
    post.push(t.def);
  }
  // Row-level security last: the rows are in, and the restoring owner is exempt from it anyway.
  for (const r of await q(`
      SELECT n.nspname, c.relname, c.relforcerowsecurity AS forced
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${OURS('n.nspname')} AND c.relrowsecurity ORDER BY 1, 2`)) {
    post.push(`ALTER TABLE ${qname(r.nspname, r.relname)} ENABLE ROW LEVEL SECURITY`);
    if (r.forced) post.push(`ALTER TABLE ${qname(r.nspname, r.relname)} FORCE ROW LEVEL SECURITY`);
  }
  for (const p of await q(`
      SELECT schemaname, tablename, policyname, permissive, cmd, roles::text[] AS roles, qual, with_check
        FROM pg_policies WHERE ${OURS('schemaname')} ORDER BY 1, 2, 3`)) {
    const to = p.roles.map((r) => (r === 'public' ? 'PUBLIC' : ident(r))).join(', ');
    post.push(
      `CREATE POLICY ${ident(p.policyname)} ON ${qname(p.schemaname, p.tablename)} AS ${p.permissive} FOR ${p.cmd} TO ${to}` +
        (p.qual === null ? '' : ` USING (${p.qual})`) +
        (p.with_check === null ? '' : ` WITH CHECK (${p.with_check})`),
    );
  }
  return { pre, post, data, sequences };
}

/** Writes lines to a gzip file; `write` waits when the stream is full. */
async function gzipWriter(path) {
  const file = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  await new Promise((res, rej) => {
    file.once('open', res);
    file.once('error', rej);
  });
  const gz = createGzip();
  gz.pipe(file);
  let failed = null;
  gz.on('error', (e) => (failed = e));
  file.on('error', (e) => (failed = e));
  return {
    async write(line) {
      if (failed) throw failed;
      if (!gz.write(`${line}\n`)) await once(gz, 'drain');
    },
    async close() {
      gz.end();
      await once(file, 'close');
      if (failed) throw failed;
    },
    abort() {
      gz.destroy();
      file.destroy();
    },
  };
}

const outputExists = (path) =>
  new DumpError('OUTPUT_EXISTS', `${path} already exists: a dump is never overwritten; name a new file`);

/** Throws OUTPUT_EXISTS when something is at `path` already: a dump never replaces a file. */
export function refuseExisting(path) {
  if (existsSync(path)) throw outputExists(path);
}

/**
 * Gives the complete `partial` file its final name `path` without ever replacing a file there (a hard link
 * fails on an existing name, where a rename would replace it), then removes `partial`. A filesystem without
 * hard links gets an exclusive copy instead. An existing `path`: OUTPUT_EXISTS, `path` untouched, the finished dump kept
 * as `<path>.<time>` (named in the error) and `partial` removed.
 */
export function publishDump(partial, path) {
  const place = (target) => {
    try {
      linkSync(partial, target);
    } catch (err) {
      if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(err.code)) throw err;
      copyFileSync(partial, target, constants.COPYFILE_EXCL);
    }
  };
  try {
    place(path);
  } catch (err) {
    if (err.code !== 'EEXIST') {
      rmSync(partial, { force: true });
      throw new DumpError('OUTPUT_UNWRITABLE', `cannot write ${path}: ${err.code ?? err.message}`);
    }
    // The name was taken while the dump ran: the finished dump is not thrown away but kept beside it, under a
    // name of its own (never over another file either), and the error says where.
    const kept = `${path}.${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      place(kept);
    } catch {
      rmSync(partial, { force: true });
      throw outputExists(path);
    }
    unlinkSync(partial);
    throw new DumpError(
      'OUTPUT_EXISTS',
      `${path} was created by something else while the dump ran, and was left as it is; the finished dump is ${kept}`,
    );
  }
  unlinkSync(partial);
}

/**
 * Dumps the database `client` is connected to into `path` (written as path.partial, given its name when
 * complete). An existing `path` is never replaced (OUTPUT_EXISTS, before anything is read and again at the
 * end). `secrets`: strings that must never be in a dump (the key-encryption keys in their encodings); a line
 * holding one stops the dump (KEK_IN_DUMP) and removes the file.
 */
export async function dumpDatabase({ client: c, path, log = () => {}, secrets = [] }) {
  refuseExisting(path);
  const partial = `${path}.partial`;
  let out;
  try {
    out = await gzipWriter(partial);
  } catch (err) {
    throw new DumpError('OUTPUT_UNWRITABLE', `cannot write ${partial}: ${err.code ?? err.message}`);
  }
  const checked = async (line) => {
    for (const s of secrets) {
      if (s && line.includes(s)) {
        throw new DumpError(
          'KEK_IN_DUMP',
          'a key-encryption key was found in the data being dumped; the dump was deleted. Find where the key was stored in the database and remove it',
        );
      }
    }
    await out.write(line);
  };
  try {
    // One snapshot for the whole dump: the rows of every table are of the same moment.
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await c.query(SESSION);
    const missing = await unsupported(c);
    if (missing.length) {
      throw new DumpError(
        'UNSUPPORTED_OBJECT',
        `the database holds objects this dump cannot carry: ${missing.slice(0, 5).join('; ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`,
      );
    }
    const meta = (
      await c.query(
        `SELECT current_database() AS db, current_setting('server_version') AS version, now() AS at`,
      )
    ).rows[0];
    const hasMigrations = (await c.query(`SELECT to_regclass('public.migrations') IS NOT NULL AS yes`))
      .rows[0].yes;
    const migrations = hasMigrations
      ? (await c.query(`SELECT name FROM public.migrations ORDER BY id`)).rows.map((r) => r.name)
      : [];
    const fingerprint = await schemaFingerprint(c);
    const ddl = await schemaDdl(c);
    await checked(
      JSON.stringify({
        format: FORMAT,
        version: FORMAT_VERSION,
        createdAt: new Date(meta.at).toISOString(),
        server: meta.version,
        database: meta.db,
        migrations,
        tables: ddl.data.map((d) => d.label),
        fingerprint,
      }),
    );
    await checked(JSON.stringify({ pre: ddl.pre }));
    const counts = {};
    let total = 0;
    for (const t of ddl.data) {
      let n = 0;
      await c.query(`DECLARE rows_cursor NO SCROLL CURSOR FOR SELECT r::text AS r FROM ONLY ${t.table} r`);
      for (;;) {
        const { rows } = await c.query(`FETCH ${ROWS_PER_LINE} FROM rows_cursor`);
        if (!rows.length) break;
        await checked(
          JSON.stringify({
            table: t.table,
            columns: t.columns,
            identity: t.identity,
            rows: rows.map((r) => r.r),
          }),
        );
        const before = n;
        n += rows.length;
        if (Math.floor(n / PROGRESS_EVERY) > Math.floor(before / PROGRESS_EVERY))
          log(`  ${t.label}: ${n} rows…`);
      }
      await c.query('CLOSE rows_cursor');
      counts[t.table] = n;
      total += n;
      log(`  ${t.label}: ${n} row${n === 1 ? '' : 's'}`);
    }
    const positions = [];
    for (const s of ddl.sequences) {
      const name = qname(s.nspname, s.relname);
      const r = (await c.query(`SELECT last_value::text AS v, is_called FROM ${name}`)).rows[0];
      positions.push(`SELECT pg_catalog.setval(${literal(name)}, ${r.v}, ${r.is_called})`);
    }
    await checked(JSON.stringify({ post: [...ddl.post, ...positions] }));
    await checked(JSON.stringify({ end: true, counts, rows: total }));
    await c.query('COMMIT');
    await out.close();
    publishDump(partial, path);
    return { tables: ddl.data.length, rows: total, migrations, server: meta.version };
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    out.abort();
    rmSync(partial, { force: true });
    if (err instanceof DumpError) throw err;
    throw new DumpError('DUMP_FAILED', `the dump failed: ${err.message}`);
  }
}

/** Reads a dump's lines: its header first (checked), then the rest. */
export async function openDump(path) {
  const input = createReadStream(path);
  const opened = await new Promise((res) => {
    input.once('open', () => res(null));
    input.once('error', (e) => res(e));
  });
  if (opened) throw new DumpError('DUMP_UNREADABLE', `cannot read ${path}: ${opened.code ?? opened.message}`);
  const gunzip = createGunzip();
  let streamError = null;
  gunzip.on('error', (e) => {
    streamError = e;
    input.destroy();
  });
  const rl = createInterface({ input: input.pipe(gunzip), crlfDelay: Infinity });
  const it = rl[Symbol.asyncIterator]();
  const next = async () => {
    let r;
    try {
      r = await it.next();
    } catch (e) {
      streamError = e;
    }
    if (streamError) {
      throw new DumpError(
        'DUMP_UNREADABLE',
        `${path} is damaged or not an Onbehalf dump (${streamError.code ?? streamError.message})`,
      );
    }
    if (r.done) return null;
    try {
      return JSON.parse(r.value);
    } catch {
      throw new DumpError(
        'DUMP_UNREADABLE',
        `${path} holds a damaged line; it is not a complete Onbehalf dump`,
      );
    }
  };
  const header = await next();
  if (!header || header.format !== FORMAT) {
    throw new DumpError('DUMP_UNREADABLE', `${path} is not an Onbehalf dump (made by npm run backup)`);
  }
  if (header.version !== FORMAT_VERSION) {
    throw new DumpError(
      'DUMP_UNREADABLE',
      `${path} is dump format ${header.version}; this release reads format ${FORMAT_VERSION}`,
    );
  }
  return { header, next, close: () => rl.close() };
}

/** What a database already holds (relations, schemas other than public, extensions): empty means none. */
export async function existingObjects(c) {
  const { rows } = await c.query(`
    SELECT 'schema ' || nspname AS what FROM pg_namespace WHERE ${OURS('nspname')} AND nspname <> 'public'
    UNION ALL
    SELECT 'extension ' || extname FROM pg_extension WHERE extname <> 'plpgsql'
    UNION ALL
    SELECT 'table ' || n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')`);
  return rows.map((r) => r.what);
}

/**
 * The other client sessions on the database `c` is connected to (an API, a psql…): their pid, user and
 * application name. Background processes (autovacuum, walsender…) are not counted.
 */
export async function otherSessions(c) {
  const { rows } = await c.query(`
    SELECT pid, usename AS user, coalesce(nullif(application_name, ''), '(no application name)') AS app
      FROM pg_catalog.pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_catalog.pg_backend_pid() AND usesysid IS NOT NULL
       AND coalesce(backend_type, 'client backend') = 'client backend'
     ORDER BY pid`);
  return rows;
}

/**
 * Loads a dump into the database `client` is connected to, in one transaction. Refuses a database
 * that holds anything (TARGET_NOT_EMPTY) unless `force`, which first drops every schema but the system ones;
 * and a database other sessions are connected to (TARGET_IN_USE: an API serving it) unless `allowOtherSessions`,
 * and always one whose migration lock is held (TARGET_IN_USE: an API starting or migrating).
 * The dump's statements are executed as written: a dump must come from a trusted place.
 */
export async function restoreDatabase({
  client: c,
  path,
  force = false,
  allowOtherSessions = false,
  log = () => {},
}) {
  const dump = await openDump(path);
  const { header } = dump;
  let locked = false;
  try {
    // The API's migration lock first, then the check for other sessions: an API that starts after this waits in
    // its migration step until the restore is over, and one that started before is a session the check sees.
    locked = (await c.query(`SELECT pg_try_advisory_lock(${MIGRATION_LOCK}) AS ok`)).rows[0].ok === true;
    if (!locked) {
      throw new DumpError(
        'TARGET_IN_USE',
        'an API is starting or migrating on the target database (it holds the migration lock): stop it, then restore',
      );
    }
    const others = await otherSessions(c);
    if (others.length && !allowOtherSessions) {
      const shown = others
        .slice(0, 3)
        .map((o) => `pid ${o.pid} ${o.app}${o.user ? ` (${o.user})` : ''}`)
        .join(', ');
      throw new DumpError(
        'TARGET_IN_USE',
        `${others.length} other session(s) are connected to the target database (${shown}${others.length > 3 ? `, ${others.length - 3} more` : ''}): stop the API and whatever else uses it, or pass --force-live to restore under them`,
      );
    }
    if (others.length) log(`  --force-live: restoring while ${others.length} other session(s) are connected`);
    const existing = await existingObjects(c);
    if (existing.length && !force) {
      throw new DumpError(
        'TARGET_NOT_EMPTY',
        `the target database is not empty (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? `, ${existing.length - 3} more` : ''}); restore into a new database, or pass --force to replace everything in it`,
      );
    }
    await c.query('BEGIN');
    await c.query(SESSION);
    await c.query('SET LOCAL check_function_bodies = false');
    if (existing.length) {
      const schemas = (await c.query(`SELECT nspname FROM pg_namespace WHERE ${OURS('nspname')}`)).rows;
      for (const s of schemas) await c.query(`DROP SCHEMA ${ident(s.nspname)} CASCADE`);
      for (const e of (await c.query(`SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'`)).rows)
        await c.query(`DROP EXTENSION ${ident(e.extname)} CASCADE`);
      log(`  --force: dropped ${schemas.length} schema(s) and everything in them`);
    }
    const run = async (sql) => {
      try {
        await c.query(sql);
      } catch (err) {
        throw new DumpError(
          'RESTORE_FAILED',
          `${err.message} (in: ${sql.replace(/\s+/g, ' ').slice(0, 160)})`,
        );
      }
    };
    const counts = {};
    let line;
    let sawPost = false;
    let end = null;
    while ((line = await dump.next())) {
      if (line.pre) {
        for (const sql of line.pre) await run(sql);
        log(`  schema: ${line.pre.length} statements`);
      } else if (line.table) {
        const cols = line.columns.map(ident);
        await c
          .query(
            `INSERT INTO ${line.table} (${cols.join(', ')})${line.identity ? ' OVERRIDING SYSTEM VALUE' : ''}
             SELECT ${line.columns.map((col) => `(r).${ident(col)}`).join(', ')}
               FROM (SELECT v::${line.table} AS r FROM pg_catalog.unnest($1::text[]) AS v) AS s`,
            [line.rows],
          )
          .catch((err) => {
            throw new DumpError('RESTORE_FAILED', `loading ${line.table} failed: ${err.message}`);
          });
        const before = counts[line.table] ?? 0;
        counts[line.table] = before + line.rows.length;
        if (Math.floor(counts[line.table] / PROGRESS_EVERY) > Math.floor(before / PROGRESS_EVERY))
          log(`  ${line.table}: ${counts[line.table]} rows…`);
      } else if (line.post) {
        for (const sql of line.post) await run(sql);
        sawPost = true;
        log(`  constraints, indexes, triggers, sequences: ${line.post.length} statements`);
      } else if (line.end) {
        end = line;
      }
    }
    if (!end || !sawPost) {
      throw new DumpError(
        'DUMP_TRUNCATED',
        `${path} ends before its last line: the dump is incomplete (nothing was restored)`,
      );
    }
    for (const [table, n] of Object.entries(end.counts)) {
      if ((counts[table] ?? 0) !== n) {
        throw new DumpError(
          'DUMP_TRUNCATED',
          `${table}: the dump lists ${n} rows but holds ${counts[table] ?? 0} (nothing was restored)`,
        );
      }
    }
    const restored = await schemaFingerprint(c);
    const want = new Set(header.fingerprint);
    const got = new Set(restored);
    const diff = [
      ...header.fingerprint.filter((l) => !got.has(l)).map((l) => `missing: ${l}`),
      ...restored.filter((l) => !want.has(l)).map((l) => `extra: ${l}`),
    ];
    if (diff.length) {
      throw new DumpError(
        'SCHEMA_MISMATCH',
        `the restored schema differs from the dumped one (nothing was restored): ${diff
          .slice(0, 3)
          .map((d) => d.replace(/\s+/g, ' ').slice(0, 200))
          .join('; ')}`,
      );
    }
    await c.query('COMMIT');
    await c.query('ANALYZE').catch(() => undefined);
    const rows = Object.values(counts).reduce((a, b) => a + b, 0);
    return { header, tables: Object.keys(end.counts).length, rows, replaced: existing.length > 0 };
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    if (err instanceof DumpError) throw err;
    throw new DumpError('RESTORE_FAILED', `the restore failed (nothing was restored): ${err.message}`);
  } finally {
    if (locked) await c.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`).catch(() => undefined);
    dump.close();
  }
}
