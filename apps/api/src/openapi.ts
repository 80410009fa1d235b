import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, getSchemaPath, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { ErrorDto } from './common/api-responses';
import type { AppConfig } from './config/app-config';

/** Every route's path starts with it. */
export const API_PREFIX = 'api';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The OpenAPI document of an app whose routes are registered (server.ts serves it at /api/docs).
 * Each route declares its replies (`@ApiOkResponse({ type: … })`, dto/*.response.ts); every route
 * may also fail, with the one error body HttpExceptionFilter writes, so that is each route's
 * `default` reply.
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Onbehalf API')
      .setVersion('0.1.0')
      .addCookieAuth('onbehalf_sid')
      .addBearerAuth()
      .build(),
    { extraModels: [ErrorDto] },
  );
  const error = {
    description: 'An error: `code` says which (docs/api.md lists them), `message` is for people.',
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorDto) } } },
  };
  for (const item of Object.values(doc.paths))
    for (const method of METHODS) {
      const op = item[method];
      if (op) op.responses = { ...op.responses, default: error };
    }
  return doc;
}

/**
 * The same document without a server or a database: in preview mode Nest reads the module graph's
 * routes and decorators without building a single provider, so nothing connects to Postgres and the
 * config is never read (it only satisfies AppModule.forRoot). `npm run openapi` writes it to
 * apps/api/openapi.json and the console's types from it (docs/api.md).
 */
export async function buildOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create(AppModule.forRoot({} as AppConfig), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    app.setGlobalPrefix(API_PREFIX);
    return openApiDocument(app);
  } finally {
    await app.close();
  }
}
