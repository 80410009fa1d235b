/**
 * A failure the API reports to its caller. `code` is the contract (clients branch on it);
 * `message` is for people. One exhaustive filter turns these into `{ code, message, details }`.
 */
export class DomainException extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainException';
  }
}

export const badRequest = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainException(400, code, message, details);
export const notFound = (code: string, message: string) => new DomainException(404, code, message);
export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainException(409, code, message, details);
export const unprocessable = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainException(422, code, message, details);
