import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainException } from './domain-exception';

/** Statuses Nest or Express raise themselves, mapped to stable codes. */
const HTTP_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'AUTH_REQUIRED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
};

/** The one place where every error becomes an HTTP reply `{ code, message, details? }`. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    if (res.headersSent) return;
    let status = 500;
    let body: { code: string; message: string; details?: Record<string, unknown> };
    if (exception instanceof DomainException) {
      status = exception.status;
      body = {
        code: exception.code,
        message: exception.message,
        ...(exception.details ? { details: exception.details } : {}),
      };
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      const r = exception.getResponse();
      const obj = typeof r === 'object' && r !== null ? (r as Record<string, unknown>) : {};
      const message = Array.isArray(obj.message)
        ? obj.message.join('; ')
        : String(obj.message ?? exception.message);
      body = {
        code: typeof obj.code === 'string' ? obj.code : (HTTP_CODES[status] ?? 'HTTP_ERROR'),
        message,
        ...(typeof obj.details === 'object' && obj.details
          ? { details: obj.details as Record<string, unknown> }
          : {}),
      };
    } else {
      // Only the error's class and message are logged: never request bodies, which may hold keys or passwords.
      this.logger.error(
        `${req.method} ${req.path}: ${exception instanceof Error ? `${exception.name}: ${exception.message}` : 'unknown error'}`,
        exception instanceof Error ? exception.stack : undefined,
      );
      body = {
        code: 'INTERNAL_ERROR',
        message: 'Something went wrong on the server. The error has been logged.',
      };
    }
    res.status(status).json(body);
  }
}

/** The reply for a request body that body-parser refused, or null for any other error. */
export function bodyParserReply(e: unknown) {
  if (!isBodyParserError(e)) return null;
  return {
    status: e.status,
    body:
      e.type === 'entity.too.large'
        ? { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than the API accepts (1 MB).' }
        : e.type === 'entity.parse.failed'
          ? { code: 'MALFORMED_JSON', message: 'The request body is not valid JSON.' }
          : e.type === 'encoding.invalid'
            ? { code: 'INVALID_ENCODING', message: 'The request body is not valid UTF-8.' }
            : { code: 'BAD_REQUEST', message: 'The request body could not be read.' },
  };
}

function isBodyParserError(e: unknown): e is { status: number; type: string } {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { type?: unknown }).type === 'string' &&
    typeof (e as { status?: unknown }).status === 'number'
  );
}
