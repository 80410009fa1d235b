import { describe, expect, it } from 'vitest';
import { DomainException } from './domain-exception';
import { parseJsonBody, pathOf } from './request-guard';

function parse(body: Buffer | string): { err: Error | null; value?: unknown } {
  let out: { err: Error | null; value?: unknown } | undefined;
  parseJsonBody(null, Buffer.isBuffer(body) ? body : Buffer.from(body), (err, value) => {
    out = { err, value };
  });
  return out!;
}

const codeOf = (err: Error | null) =>
  err instanceof DomainException ? `${err.status} ${err.code}` : String(err);

describe('parseJsonBody (the API’s one body parser)', () => {
  it('reads a JSON object or array, whitespace around it allowed', () => {
    expect(parse(' {"a":[1,"é"]}\n')).toEqual({ err: null, value: { a: [1, 'é'] } });
    expect(parse('[true]')).toEqual({ err: null, value: [true] });
  });

  it('reads an empty or blank body as {}', () => {
    expect(parse('')).toEqual({ err: null, value: {} });
    expect(parse(' \r\n')).toEqual({ err: null, value: {} });
  });

  it.each(['"text"', '42', 'true', 'null', '{"a":', '{bad}'])(
    'refuses %s with 400 MALFORMED_JSON',
    (body) => {
      expect(codeOf(parse(body).err)).toBe('400 MALFORMED_JSON');
    },
  );

  it('refuses a body that is not UTF-8 with 400 INVALID_ENCODING, before parsing it', () => {
    const latin1 = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xe9]), Buffer.from('"}')]);
    expect(codeOf(parse(latin1).err)).toBe('400 INVALID_ENCODING');
  });
});

describe('pathOf', () => {
  it('drops the query and keeps a path without one', () => {
    expect(pathOf('/api/docs/?x=1&y=?')).toBe('/api/docs/');
    expect(pathOf('/api/orgs')).toBe('/api/orgs');
  });
});
