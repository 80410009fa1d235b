// The API's OpenAPI document and the console's types generated from it (docs/api.md). Both are
// committed; `npm run openapi` rewrites them and scripts/test/openapi.spec.mjs fails when they are
// not what the source gives now. The document is read from the API's own decorators (Nest's preview
// mode: no server, no database) after compiling apps/api/src with its build configuration, so it is
// the document the running API serves at /api/docs/openapi.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from './pnpm.mjs';

export const OPENAPI_COMMAND = 'npm run openapi';
/** The committed files, relative to the repository root. */
export const OPENAPI_JSON = 'apps/api/openapi.json';
export const WEB_TYPES = 'apps/web/src/types/api.generated.ts';

const HEADER =
  `// Generated from ${OPENAPI_JSON} by openapi-typescript: do not edit. ` +
  `After changing the API's replies run: ${OPENAPI_COMMAND}\n\n`;

/** apps/api/src compiled with its build configuration into a directory of its own, removed afterwards. */
async function withCompiledApi(use) {
  const api = join(root, 'apps', 'api');
  if (!existsSync(join(root, 'packages', 'crm-auth', 'dist', 'index.js')))
    throw new Error('packages/crm-auth is not built: run npm run build first');
  const out = join(api, 'node_modules', '.cache', `openapi-${process.pid}-${Date.now()}`);
  mkdirSync(out, { recursive: true });
  try {
    const tsc = createRequire(join(api, 'package.json')).resolve('typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', out], {
      cwd: api,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`compiling apps/api failed:\n${r.stdout}${r.stderr}`);
    return await use(out);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** What `npm run openapi` writes, as text: `{ [OPENAPI_JSON]: …, [WEB_TYPES]: … }`. */
export async function generateOpenApi() {
  const doc = await withCompiledApi(async (out) => {
    // the compiled API is CommonJS: its default export is the module's exports
    const { default: openapi } = await import(pathToFileURL(join(out, 'openapi.js')).href);
    return openapi.buildOpenApiDocument();
  });
  // openapi-typescript is the console's devDependency
  const { default: openapiTS, astToString } = createRequire(join(root, 'apps', 'web', 'package.json'))(
    'openapi-typescript',
  );
  const types = astToString(await openapiTS(doc));
  return {
    [OPENAPI_JSON]: `${JSON.stringify(doc, null, 2)}\n`,
    [WEB_TYPES]: HEADER + types,
  };
}
