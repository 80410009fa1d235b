import { type PipeTransform } from '@nestjs/common';
import { badRequest } from './domain-exception';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Route ids are UUIDs; anything else (a path-traversal string, a number) is a 400 with a code. */
export class UuidPipe implements PipeTransform<string, string> {
  constructor(private readonly what = 'id') {}

  transform(value: string): string {
    const v = String(value ?? '').replace(/^\{|\}$/g, '');
    if (!UUID.test(v)) throw badRequest('INVALID_ID', `The ${this.what} must be a UUID.`);
    return v.toLowerCase();
  }
}
