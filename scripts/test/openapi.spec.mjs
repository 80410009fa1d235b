// The committed OpenAPI document and the console's types generated from it are what the API's source
// gives now: a route whose replies changed without `npm run openapi` fails here (docs/api.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateOpenApi, OPENAPI_COMMAND, OPENAPI_JSON, WEB_TYPES } from '../lib/openapi.mjs';
import { root } from '../lib/pnpm.mjs';

let generated;
beforeAll(async () => {
  // compiling the API takes a minute on a loaded machine
  generated = await generateOpenApi();
}, 300_000);

const committed = (file) => readFileSync(join(root, file), 'utf8');

describe('the API contract files are up to date with the API source', () => {
  it.each([OPENAPI_JSON, WEB_TYPES])('%s is what npm run openapi writes', (file) => {
    expect(
      committed(file) === generated[file],
      `${file} is stale: the API's routes or replies changed since it was generated. Run \`${OPENAPI_COMMAND}\` and commit what it writes`,
    ).toBe(true);
  });

  it('every route declares its success reply, and every route the shared error body', () => {
    const doc = JSON.parse(generated[OPENAPI_JSON]);
    const missing = [];
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item)) {
        const codes = Object.keys(op.responses);
        const success = codes.find((c) => /^[23]\d\d$/.test(c));
        const body = success && op.responses[success].content;
        // 204 and redirects have no body; every other success names its schema
        if (!success || (!['204', '302'].includes(success) && !body))
          missing.push(`${method.toUpperCase()} ${path}`);
        if (
          op.responses.default?.content?.['application/json']?.schema?.$ref !==
          '#/components/schemas/ErrorDto'
        )
          missing.push(`${method.toUpperCase()} ${path} (error reply)`);
      }
    expect(missing).toEqual([]);
  });
});
