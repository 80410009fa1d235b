import 'reflect-metadata';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleLogger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import cookie from '@fastify/cookie';
import type {} from '@fastify/static'; // reply.sendFile
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import helmet from 'helmet';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { AuthService, SESSION_COOKIE } from './auth/auth.service';
import { DomainException } from './common/domain-exception';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { BODY_LIMIT_BYTES, checkInput, parseJsonBody, pathOf } from './common/request-guard';
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
  /** Every route the HTTP server answers, as registered (Fastify's automatic HEAD twins of GET routes left out). */
  routes: readonly ApiRoute[];
  close(): Promise<void>;
}

export interface ApiRoute {
  method: string;
  /** The route's pattern, `:name` for a parameter, e.g. `/api/orgs/:id`. */
  path: string;
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
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    new FastifyAdapter({
      // X-Forwarded-For is believed only from a proxy on this machine.
      trustProxy: 'loopback',
      bodyLimit: BODY_LIMIT_BYTES,
    }),
    // Nest's own body parsers stay off: the one JSON parser below is the only way a body gets in.
    { logger: logger === false ? false : logger, bodyParser: false, abortOnError: false },
  );
  const dataSource = app.get(DataSource);
  const fastify = app.getHttpAdapter().getInstance();
  const routes: ApiRoute[] = [];
  fastify.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, path: r.url });
  });
  // Security headers: helmet's middleware, built once (per-request construction re-parses the CSP), applied to the
  // raw response in the first hook, so that replies Fastify does not send itself (the CSV export) carry them too.
  const securityHeaders = helmet({
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
  });
  fastify.addHook('onRequest', (req, reply, done) => {
    securityHeaders(req.raw, reply.raw, (err?: unknown) => done(err as Error | undefined));
  });
  await app.register(cookie);
  // JSON only, UTF-8 only (RFC 8259), at most 1 MB. Any other content type is refused with 415 before a route runs.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, parseJsonBody);
  // Hostile shapes (deep nesting, prototype keys, NUL and other control characters) stop here,
  // before pipes and Postgres.
  fastify.addHook('preValidation', (req, reply, done) => {
    const problem = checkInput(req.body, 'body') ?? checkInput(req.query, 'query');
    if (!problem) return done();
    void reply.status(problem.status).send(problem.body);
  });
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalPipes(globalValidationPipe());
  const doc = openApiDocument(app);
  // The docs are served by @nestjs/swagger outside Nest's guards: this gate keeps them behind a session
  // or an API key like every other route (docs/architecture.md §8: only login, health and the RPS
  // callback are public).
  const auth = app.get(AuthService);
  // Callback hooks, not async ones: every request passes here, and only the docs' pay for more than a path test.
  fastify.addHook('onRequest', (req, reply, done) => {
    const path = pathOf(req.url);
    if (path !== '/api/docs' && !path.startsWith('/api/docs/')) return done();
    const sessionCookie = req.cookies[SESSION_COOKIE];
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const check = bearer
      ? auth.resolveApiKey(bearer, req.ip)
      : sessionCookie
        ? auth.resolveSession(sessionCookie)
        : Promise.reject(new Error('none'));
    check.then(
      () => done(),
      (err: unknown) => {
        const code = err instanceof DomainException ? err.code : 'AUTH_REQUIRED';
        void reply.status(401).send({ code, message: 'Sign in to read the API documentation.' });
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
    app.useStaticAssets({
      root: dist,
      prefix: '/',
      index: false,
      // One route per file found at start (the console's build does not change while the API runs), so that
      // any other path falls through to the shell below.
      wildcard: false,
      maxAge: '1h',
      // @fastify/static hands its reply here (typed by Nest as the raw response).
      setHeaders: (reply, path) => {
        if (path.includes('/assets/'))
          void (reply as unknown as FastifyReply).header(
            'Cache-Control',
            'public, max-age=31536000, immutable',
          );
      },
    });
    // Client-side routes: every GET outside /api that names no file gets the console's shell (the API's paths
    // all start with /api).
    const files = new Set(readdirSync(dist).map((f) => `/${f}`));
    fastify.addHook('onRequest', (req, reply, done) => {
      const path = pathOf(req.url);
      if (
        (req.method !== 'GET' && req.method !== 'HEAD') ||
        path === '/api' ||
        path.startsWith('/api/') ||
        path.startsWith('/assets/') ||
        files.has(path)
      )
        return done();
      void reply.header('Cache-Control', 'no-cache').sendFile('index.html', { cacheControl: false });
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
    routes,
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
