/**
 * The package's one way of reporting a caller's misuse (src/option-checks.ts): a CrmAuthError
 * ERR_INVALID_OPTIONS whose message names the option and what was expected, never its value.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  absoluteUrl,
  httpsUrl,
  invalidOptions,
  nonBlankString,
  nonEmptyString,
  nonNegativeNumber,
  optionalFunction,
  optionalPemList,
  optionalString,
  positiveNumber,
  requireObject,
  requireString,
} from '../src/option-checks';
import { invalidOptions as expected } from './helpers/invalid-options';

describe('option checks: each refusal is ERR_INVALID_OPTIONS naming the option', () => {
  it('makes the error with its message and keeps a cause when given one', () => {
    const cause = new Error('unreadable');
    expect(invalidOptions('x must be y')).toEqual(expected('x must be y'));
    expect(invalidOptions('x must be y', cause).cause).toBe(cause);
    expect('cause' in invalidOptions('x must be y')).toBe(false);
  });

  it('requires an object, not null and not a primitive', () => {
    expect(() => requireObject({}, 'Thing options')).not.toThrow();
    for (const bad of [null, undefined, 'o', 3]) {
      expect(() => requireObject(bad, 'Thing options')).toThrow(expected('Thing options must be an object'));
    }
  });

  it('requires strings, optionally, and says what kind was expected', () => {
    expect(requireString('', 'pem')).toBe('');
    expect(() => requireString(7, 'pem')).toThrow(expected('pem must be a string'));
    expect(() => requireString(7, 'pem', 'a PEM string')).toThrow(expected('pem must be a PEM string'));
    expect(optionalString(undefined, 'chainPem')).toBeUndefined();
    expect(optionalString('c', 'chainPem')).toBe('c');
    expect(() => optionalString(null, 'chainPem')).toThrow(expected('chainPem must be a string'));
  });

  it('tells a non-empty string from a non-blank one', () => {
    expect(nonEmptyString(' ', 'siteId')).toBe(' ');
    expect(() => nonEmptyString('', 'siteId')).toThrow(expected('siteId must be a non-empty string'));
    expect(() => nonEmptyString(1, 'siteId')).toThrow(expected('siteId must be a non-empty string'));
    expect(nonBlankString(' a ', 'name')).toBe(' a ');
    expect(() => nonBlankString(' \t', 'name')).toThrow(expected('name must be a non-empty string'));
    expect(() => nonBlankString(undefined, 'name')).toThrow(expected('name must be a non-empty string'));
  });

  it('parses absolute URLs and accepts only https where tickets go', () => {
    expect(absoluteUrl('http://a.example/x', 'u').host).toBe('a.example');
    expect(() => absoluteUrl(5, 'u')).toThrow(expected('u must be a string'));
    expect(() => absoluteUrl('/x', 'u')).toThrow(expected('u must be an absolute URL'));
    expect(httpsUrl('https://A.example', 'url')).toBe('https://a.example/');
    expect(() => httpsUrl('http://a.example', 'url')).toThrow(expected('url must be an https URL'));
  });

  it('accepts an absent or function option, nothing else', () => {
    const f = (): void => undefined;
    expect(optionalFunction(undefined, 'clock')).toBeUndefined();
    expect(optionalFunction(f, 'clock')).toBe(f);
    expect(() => optionalFunction('f' as unknown as () => void, 'clock')).toThrow(
      expected('clock must be a function'),
    );
  });

  it('applies a number default when absent and bounds a given number', () => {
    expect(positiveNumber(undefined, 9, 'timeoutMs')).toBe(9);
    expect(positiveNumber(0.5, 9, 'timeoutMs')).toBe(0.5);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '1']) {
      expect(() => positiveNumber(bad as number, 9, 'timeoutMs')).toThrow(
        expected('timeoutMs must be a positive number'),
      );
    }
    expect(nonNegativeNumber(undefined, 4, 'aheadMs')).toBe(4);
    expect(nonNegativeNumber(0, 4, 'aheadMs')).toBe(0);
    for (const bad of [-0.1, Number.NaN, Number.POSITIVE_INFINITY, '0']) {
      expect(() => nonNegativeNumber(bad as number, 4, 'aheadMs')).toThrow(
        expected('aheadMs must be a number >= 0'),
      );
    }
  });

  it('accepts an absent list of PEM texts or an array of strings', () => {
    expect(optionalPemList(undefined, 'ca')).toBeUndefined();
    expect(optionalPemList([], 'ca')).toEqual([]);
    expect(optionalPemList(['a', 'b'], 'ca')).toEqual(['a', 'b']);
    for (const bad of ['pem', ['pem', 7], [null]]) {
      expect(() => optionalPemList(bad as ReadonlyArray<string>, 'ca')).toThrow(
        expected('ca must be an array of PEM strings'),
      );
    }
  });
});

describe('the convention holds across the package', () => {
  const src = path.join(__dirname, '../src');
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return sources(full);
      return e.name.endsWith('.ts') && !e.name.includes('.spec.') ? [full] : [];
    });

  it('has no source file that throws a TypeError or RangeError for misuse', () => {
    const files = sources(src);
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.filter((f) => /new (Type|Range)Error\(/.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(src, f))).toEqual([]);
  });
});
