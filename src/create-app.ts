import type { IncomingMessage, ServerResponse } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { LogController } from 'fastify';
import type { Logger } from 'pino';
import helmet from 'helmet';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module.js';
import { clientErrorHandler, frameworkErrorHandler } from './common/errors/client-errors.js';
import { createRootLogger, PinoNestLogger } from './common/logging/logger.js';
import { requestIdFor, traceContext } from './common/logging/trace-context.js';
import { AppConfig, parseConfig } from './config/app-config.js';
import { EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres.js';
import { guardPoolClientErrors } from './database/pool-client-errors.js';
import { dropHeldOpenersOnRelease } from './database/transaction-pipelining-client.js';
import { JobRunner } from './jobs/job-runner.js';
import { bindIdempotencyToWrites } from './idempotency/idempotent-writes.js';
import { instrumentRequests } from './metrics/http-metrics.js';
import { startMetricsServer } from './metrics/metrics-server.js';
import { MetricsService } from './metrics/metrics.service.js';
import { buildOpenApiDocument } from './openapi/document.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface CreateAppOptions {
  /** Overrides on top of process.env (tests use it for their database and settings). */
  env?: Record<string, string | undefined>;
  /** Where JSON logs go: 1 stdout (default), 2 stderr (CLI commands whose stdout is data). */
  logDestination?: 1 | 2;
}

export interface CreatedApp {
  app: NestFastifyApplication;
  config: AppConfig & { databaseUrl: string };
  /** Closes the app (drains requests, stops workers, closes the pool), then the embedded server if any. */
  close: () => Promise<void>;
}

/**
 * Builds the whole application, exactly as production runs it: `main.ts`, the CLI and every test
 * call this. Starts the embedded PostgreSQL when DATABASE_URL is unset, and stops it on close.
 */
export async function createApp(options: CreateAppOptions = {}): Promise<CreatedApp> {
  const parsed = parseConfig({ ...process.env, ...options.env });
  const rootLogger = createRootLogger(parsed.logLevel, options.logDestination);

  let embedded: EmbeddedDatabase | undefined;
  if (!parsed.databaseUrl) {
    embedded = await startEmbeddedPostgres(parsed.dataDir, (line) =>
      rootLogger.debug({ context: 'postgres' }, line),
    );
    rootLogger.info({ context: 'database' }, `embedded PostgreSQL started under ${parsed.dataDir}/pg`);
  }
  const config = { ...parsed, databaseUrl: parsed.databaseUrl ?? embedded!.url };

  const adapter = new FastifyAdapter({
    loggerInstance: rootLogger,
    logController: new LogController({
      requestIdLogLabel: 'trace_id',
      disableRequestLogging: parsed.logLevel === 'silent',
    }),
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => requestIdFor(req.headers),
    trustProxy: false,
    // Errors raised before routing get our envelope too (see client-errors.ts).
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler,
  });

  let app: NestFastifyApplication | undefined;
  try {
    app = await buildApp(config, adapter, rootLogger);
    const metricsServer =
      config.metricsPort === undefined
        ? undefined
        : await startMetricsServer(app.get(MetricsService), config.host, config.metricsPort);
    const built = app;
    // Not a patched app.close: Nest's application proxy ignores property assignment.
    // The metrics listener closes last, so a scrape still sees the drain.
    const close = async () => {
      // Stop accepting and answer what is in flight first, the job worker stopping meanwhile: Nest's
      // own order (destroy hooks, then the HTTP server) would keep accepting until every job finished.
      await Promise.all([built.getHttpAdapter().close(), built.get(JobRunner).stop()]);
      await built.close();
      await metricsServer?.close();
      await embedded?.stop();
    };
    return { app, config, close };
  } catch (error) {
    await app?.close();
    await embedded?.stop();
    throw error;
  }
}

async function buildApp(
  config: AppConfig & { databaseUrl: string },
  adapter: FastifyAdapter,
  rootLogger: Logger,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config), adapter, {
    logger: new PinoNestLogger(rootLogger),
    bodyParser: false,
    abortOnError: false,
  });

  guardPoolClientErrors(app.get(DataSource), rootLogger);
  dropHeldOpenersOnRelease(app.get(DataSource));

  const fastify = app.getHttpAdapter().getInstance();
  instrumentRequests(fastify, app.get(MetricsService));
  // Only JSON bodies are accepted; anything else is a 415 from Fastify, rendered by our error handler.
  fastify.removeContentTypeParser(['text/plain']);
  // A route that takes larger bodies says so with @RouteConfig({ bodyLimit }) (the bulk invitations);
  // Fastify applies a route's limit to every parser. Routes are registered by app.init() below.
  fastify.addHook('onRoute', (route) => {
    const limit = (route.config as { bodyLimit?: unknown } | undefined)?.bodyLimit;
    if (typeof limit === 'number') route.bodyLimit = limit;
  });
  const securityHeaders = staticSecurityHeaders();
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(securityHeaders);
    reply.header('x-request-id', request.id);
    traceContext.run(String(request.id), done);
  });
  // Replies sent from hooks that run before ours (the Fastify adapter's CORS preflight) carry it too.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (!reply.hasHeader('x-request-id')) reply.header('x-request-id', request.id);
    done(null, payload);
  });
  if (config.corsOrigins.length > 0)
    app.enableCors({ origin: config.corsOrigins, exposedHeaders: ['X-Request-Id', 'Retry-After'] });

  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true, displayOperationId: true },
  });

  // After both guards (interceptors always run after guards): a refused request is never kept.
  // Zero would mean Nest's metadata keys changed under us: refuse to start without idempotency.
  if (bindIdempotencyToWrites(app) === 0) throw new Error('Idempotency-Key bound to no write route');
  await app.init();
  return app;
}

/**
 * Helmet's headers, computed once. Every one of them is the same for every request, so helmet
 * runs once at start-up against a recording response instead of per request: its twelve
 * middlewares setting one header each were 2.7% of a seed 003 GET's CPU (bench/profile.js).
 */
function staticSecurityHeaders(): Record<string, string> {
  const middleware = helmet({
    // Swagger UI needs inline scripts and styles; the API itself serves only JSON.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'validator.swagger.io'],
        // Helmet's default would make browsers fetch Swagger UI's assets and "Try it out" calls over
        // HTTPS, which a server reached by name over plain HTTP does not speak (only loopback is exempt).
        upgradeInsecureRequests: null,
      },
    },
  });
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  let done = false;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, () => (done = true));
  // helmet 8 calls back synchronously; if a version ever did not, these headers would be incomplete.
  if (!done) throw new Error('helmet did not finish synchronously');
  return headers;
}
