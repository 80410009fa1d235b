import { isUtf8 } from 'node:buffer';
import { DomainException } from './domain-exception';

/** Deeper JSON than any request of this API needs; class-transformer recurses per level and overflows the stack on thousands. */
export const MAX_JSON_DEPTH = 32;
/** Keys that change an object's prototype when code copies them with `obj[key] = value` (class-transformer does). */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/**
 * What XML 1.0 cannot carry (CRM would never see it) and Postgres text refuses (NUL): C0 controls but
 * TAB, LF and CR, lone surrogates, U+FFFE and U+FFFF.
 */
const ILLEGAL_CHARACTER =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface InputProblem {
  status: 400;
  body: { code: string; message: string; details?: Record<string, unknown> };
}

const problem = (code: string, message: string, where: string): InputProblem => ({
  status: 400,
  body: { code, message, details: { where } },
});

/**
 * Checks a parsed JSON body (or query) before any pipe or route sees it: bounded depth, no
 * prototype keys, no characters that can be neither stored nor sent to CRM. Iterative, so
 * that hostile nesting cannot overflow the stack here either.
 */
export function checkInput(value: unknown, root: string): InputProblem | null {
  const stack: Array<{ v: unknown; depth: number; path: string }> = [{ v: value, depth: 0, path: root }];
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (ILLEGAL_CHARACTER.test(v)) {
        return problem(
          'INVALID_CHARACTER',
          `${path} holds a control character or an unpaired surrogate, which cannot be stored or sent to CRM.`,
          path,
        );
      }
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH)
      return problem('BODY_TOO_DEEP', `The request nests deeper than ${MAX_JSON_DEPTH} levels.`, path);
    for (const key of Object.keys(v)) {
      if (PROTOTYPE_KEYS.has(key))
        return problem('FORBIDDEN_KEY', `"${key}" is not allowed as a key.`, `${path}.${key}`);
      if (ILLEGAL_CHARACTER.test(key))
        return problem('INVALID_CHARACTER', `A key in ${path} holds a control character.`, path);
      stack.push({
        v: (v as Record<string, unknown>)[key],
        depth: depth + 1,
        path: `${path}.${key.slice(0, 40)}`,
      });
    }
  }
  return null;
}

/** The largest request body the API reads: 1 MiB. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * The API's one body parser (`application/json`; the server refuses every other content type with 415): the body
 * must be UTF-8 (RFC 8259; anything else would be silently mangled to U+FFFD) and an object or an array. An empty
 * body reads as `{}`.
 */
export function parseJsonBody(
  _req: unknown,
  buf: Buffer,
  done: (err: Error | null, value?: unknown) => void,
): void {
  if (!isUtf8(buf))
    return done(new DomainException(400, 'INVALID_ENCODING', 'The request body is not valid UTF-8.'));
  const text = buf.toString('utf8').trim();
  if (text === '') return done(null, {});
  if (text[0] !== '{' && text[0] !== '[') return done(malformed());
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return done(malformed());
  }
  done(null, value);
}

const malformed = () => new DomainException(400, 'MALFORMED_JSON', 'The request body is not valid JSON.');

/** A request URL's path, without its query. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
