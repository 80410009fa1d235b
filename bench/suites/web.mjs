// webInitialJsKbGzip: the JavaScript the console's index.html makes the browser fetch before the
// first render (the entry module and its modulepreload links), each file gzipped with zlib.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot, round } from '../lib/util.mjs';

export const name = 'web';

export async function run() {
  const dist = join(repoRoot, 'apps', 'web', 'dist');
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const srcs = new Set();
  for (const m of html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g)) srcs.add(m[1]);
  for (const m of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)) srcs.add(m[1]);
  const files = [];
  for (const src of srcs) {
    const path = join(dist, src.replace(/^\//, ''));
    if (!existsSync(path)) throw new Error(`index.html loads ${src}, which is not in apps/web/dist`);
    const bytes = readFileSync(path);
    files.push({
      file: src,
      rawKb: round(bytes.length / 1024, 1),
      gzipKb: round(gzipSync(bytes, { level: 9 }).length / 1024, 1),
    });
  }
  const gzipKb = files.reduce((s, f) => s + f.gzipKb, 0);
  const rawKb = files.reduce((s, f) => s + f.rawKb, 0);
  return {
    figures: {
      webInitialJsKbGzip: {
        value: round(gzipKb, 1),
        unit: 'KB',
        note: `${files.length} files, ${round(rawKb, 0)} KB raw, gzip -9`,
      },
    },
    details: { files },
  };
}
