// `npm run openapi`: writes the API's OpenAPI document (apps/api/openapi.json) and the console's
// types generated from it (apps/web/src/types/api.generated.ts). Run it after changing a route's
// replies; scripts/test/openapi.spec.mjs fails while the committed files are stale.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApi } from './lib/openapi.mjs';
import { root } from './lib/pnpm.mjs';

const files = await generateOpenApi();
for (const [file, text] of Object.entries(files)) {
  writeFileSync(join(root, file), text);
  console.log(`[openapi] wrote ${file}`);
}
