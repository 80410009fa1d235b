/** Why a request body was refused before any handler saw it. */
export type SoapParseErrorKind =
  'forbidden-dtd' | 'not-xml' | 'html-page' | 'malformed' | 'not-soap' | 'invalid-envelope';

/** A request body the emulator refuses to read; `httpStatus` follows docs/protocol.md §2.4. */
export class SoapParseError extends Error {
  constructor(
    readonly kind: SoapParseErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'SoapParseError';
  }

  get httpStatus(): number {
    return this.kind === 'not-xml' || this.kind === 'html-page' || this.kind === 'malformed' ? 400 : 500;
  }
}
