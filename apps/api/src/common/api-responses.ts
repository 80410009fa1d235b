import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/*
 * The reply classes (`dto/*.response.ts`) describe each route's JSON in the OpenAPI document, from
 * which the console's types are generated (docs/api.md). Each file checks at compile time that its
 * classes and the services' own types have the same fields (`Same`), so the document cannot drift
 * from what the API sends.
 */

/** `true` when each of A and B is assignable to the other. */
export type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile unless given `true`: `Same<SameShape<Reply, View>>`. */
export type Same<T extends true> = T;

/** Every error reply: `code` is the contract clients branch on, `message` is for people (docs/api.md). */
export class ErrorDto {
  @ApiProperty({ type: String, example: 'ORG_NOT_FOUND' })
  code: string;

  @ApiProperty({ type: String })
  message: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  details?: Record<string, unknown>;
}

/** A CRM user or other record reference as the API shows it. */
export class IdNameDto {
  @ApiProperty({ type: String })
  id: string;

  @ApiProperty({ type: String })
  name: string;
}
