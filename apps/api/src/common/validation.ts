import { ValidationPipe } from '@nestjs/common';
import { DomainException } from './domain-exception';

/**
 * The global pipe of every DTO-typed body and query: class-validator with unknown properties refused, and its
 * errors as 400 VALIDATION_FAILED with the fields named. (The record routes check their bodies with
 * crm/dto/record-body.pipe.ts instead, to the same rules.)
 */
export function globalValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) =>
      new DomainException(
        400,
        'VALIDATION_FAILED',
        errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; ') || 'Invalid request.',
        {
          fields: errors.map((e) => ({ field: e.property, problems: Object.values(e.constraints ?? {}) })),
        },
      ),
  });
}
