import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pathOf } from './request-guard';
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

/**
 * Messages for the statuses Fastify raises itself before a route runs (its message names Fastify's internals):
 * a body over the limit, a content type the API does not read.
 */
const HTTP_MESSAGES: Record<number, string> = {
  413: 'The request body is larger than the API accepts (1 MB).',
  415: 'The request body must be JSON (Content-Type: application/json).',
};

/** The one place where every error becomes an HTTP reply `{ code, message, details? }`. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<FastifyReply>();
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    if (res.sent || res.raw.headersSent) return;
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
      const ownCode = typeof obj.code === 'string' ? obj.code : undefined;
      const message = Array.isArray(obj.message)
        ? obj.message.join('; ')
        : ((ownCode === undefined ? HTTP_MESSAGES[status] : undefined) ??
          String(obj.message ?? exception.message));
      body = {
        code: ownCode ?? HTTP_CODES[status] ?? 'HTTP_ERROR',
        message,
        ...(typeof obj.details === 'object' && obj.details
          ? { details: obj.details as Record<string, unknown> }
          : {}),
      };
    } else {
      // Only the error's class and message are logged: never request bodies, which may hold keys or passwords.
      this.logger.error(
        `${req.method} ${pathOf(req.url)}: ${exception instanceof Error ? `${exception.name}: ${exception.message}` : 'unknown error'}`,
        exception instanceof Error ? exception.stack : undefined,
      );
      body = {
        code: 'INTERNAL_ERROR',
        message: 'Something went wrong on the server. The error has been logged.',
      };
    }
    void res.status(status).send(body);
  }
}
