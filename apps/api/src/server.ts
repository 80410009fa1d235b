import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleLogger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { AuthService, SESSION_COOKIE } from './auth/auth.service';
import { DomainException } from './common/domain-exception';
import { bodyParserReply, HttpExceptionFilter } from './common/http-exception.filter';
import { checkInput, verifyUtf8 } from './common/request-guard';
import { globalValidationPipe } from './common/validation';
import type { AppConfig } from './config/app-config';
import { API_PREFIX, openApiDocument } from './openapi';
export { migrate } from './database/migrate';

export interface RunningApi {
  url: string;
  port: number;
  app: INestApplication;
  dataSource: DataSource;
  firstAdmin: { email: string; generatedPassword: string | null; created: boolean };
  close(): Promise<void>;
}

const LEVELS: Record<AppConfig['logLevel'], LogLevel[]> = {
  debug: ['debug', 'log', 'warn', 'error', 'fatal'],
  info: ['log', 'warn', 'error', 'fatal'],
  warn: ['warn', 'error', 'fatal'],
  error: ['error', 'fatal'],
};

/** Starts the API: migrations, first admin, HTTP server (and the console's static files when built). */
export async function startApi(
  config: AppConfig,
  opts: { logger?: ConsoleLogger | false } = {},
): Promise<RunningApi> {
  const logger =
    opts.logger === false
      ? false
      : (opts.logger ??
        new ConsoleLogger({
          json: config.env === 'production',
          logLevels: LEVELS[config.logLevel],
          prefix: 'api',
        }));
  // The database is connected and migrated under its advisory lock while Nest builds the module graph
  // (DatabaseModule), before anything listens. abortOnError off: a failed start rejects with its reason
  // instead of process.abort().
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: logger === false ? false : logger,
    bodyParser: false,
    abortOnError: false,
  });
  const dataSource = app.get(DataSource);
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          imgSrc: ["'self'", 'data:'],
          styleSrc: ["'self'", "'unsafe-inline'"],
          // The console is served over plain HTTP on localhost by default; do not force HTTPS upgrades there.
          upgradeInsecureRequests: config.publicOrigin.startsWith('https:') ? [] : null,
        },
      },
      strictTransportSecurity: config.publicOrigin.startsWith('https:'),
    }),
  );
  app.use(cookieParser());
  app.useBodyParser('json', { limit: '1mb', verify: verifyUtf8 });
  // Body-parser failures answer here, with codes, before any route or filter sees them.
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const reply = bodyParserReply(err);
    if (!reply) return next(err);
    res.status(reply.status).json(reply.body);
  });
  // Hostile shapes (deep nesting, prototype keys, NUL and other control characters) stop here,
  // before pipes and Postgres.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const problem = checkInput(req.body, 'body') ?? checkInput(req.query, 'query');
    if (!problem) return next();
    res.status(problem.status).json(problem.body);
  });
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalPipes(globalValidationPipe());
  const doc = openApiDocument(app);
  // The docs are served by @nestjs/swagger outside Nest's guards: this gate keeps them behind a session
  // or an API key like every other route (docs/architecture.md §8: only login, health and the RPS
  // callback are public).
  const auth = app.get(AuthService);
  app.use('/api/docs', (req: Request, res: Response, next: NextFunction) => {
    const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const check = bearer
      ? auth.resolveApiKey(bearer, req.ip ?? null)
      : cookie
        ? auth.resolveSession(cookie)
        : Promise.reject(new Error('none'));
    check.then(
      () => next(),
      (err: unknown) => {
        const code = err instanceof DomainException ? err.code : 'AUTH_REQUIRED';
        res.status(401).json({ code, message: 'Sign in to read the API documentation.' });
      },
    );
  });
  SwaggerModule.setup('api/docs', app, doc, {
    jsonDocumentUrl: 'api/docs/openapi.json',
    yamlDocumentUrl: 'api/docs/openapi.yaml',
  });

  const dist =
    config.webDistDir && existsSync(join(config.webDistDir, 'index.html')) ? config.webDistDir : null;
  if (dist) {
    app.useStaticAssets(dist, {
      index: false,
      maxAge: '1h',
      setHeaders: (res, path) => {
        if (path.includes('/assets/')) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      },
    });
  }
  if (dist) {
    // Client-side routes: every GET outside /api gets the console's shell (the API's paths all start with /api).
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (
        (req.method !== 'GET' && req.method !== 'HEAD') ||
        req.path === '/api' ||
        req.path.startsWith('/api/') ||
        req.path.startsWith('/assets/')
      )
        return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(join(dist, 'index.html'));
    });
  }
  const firstAdmin = await app.get(AuthService).ensureFirstAdmin();
  try {
    await app.listen(config.port, config.host);
  } catch (err) {
    await app.close().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
    if ((err as { code?: string }).code === 'EADDRINUSE') {
      throw new Error(
        `port ${config.port} is already in use (ONBEHALF_API_PORT): stop what uses it or choose another port`,
        { cause: err },
      );
    }
    throw err;
  }
  const addr = app.getHttpServer().address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  let closed = false;
  return {
    url: `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`,
    port,
    app,
    dataSource,
    firstAdmin,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await app.close();
      } finally {
        // The pool goes even when a shutdown hook failed, so the process can exit.
        if (dataSource.isInitialized) await dataSource.destroy();
      }
    },
  };
}
