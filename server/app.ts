import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { EventBus } from './kernel/bus/bus.js';
import { decrypt, encrypt } from './kernel/crypto/crypto.js';
import { Keyring } from './kernel/crypto/keyring.js';
import { loadMasterKey } from './kernel/crypto/keys.js';
import type { Config } from './kernel/config.js';
import type { Database } from './kernel/db/client.js';
import { AppError } from './kernel/http/errors.js';
import {
  findNul,
  problemSchema,
  registerProblemHandling,
  sendProblem,
  toAppError,
} from './kernel/http/problem.js';
import { passRouteGate } from './kernel/http/gate.js';
import { registerSecurity } from './kernel/http/security.js';
import {
  addIdempotencyToOpenApi,
  markIdempotentOperation,
  registerIdempotency,
} from './kernel/http/idempotency.js';
import { negotiateLanguage, type Language } from './kernel/i18n/i18n.js';
import { JobQueue, type JobQueueOptions } from './kernel/jobs/jobs.js';
import type { CairnModule, Kernel } from './kernel/kernel.js';
import { anonymous, publicPolicy, type Actor, type RoutePolicy } from './kernel/access/policy.js';
import type { Mailer } from './kernel/mail/mail.js';
import { modules as defaultModules } from './modules/index.js';
import { projectRoot, webDistFolder } from './paths.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The language of this request's messages, negotiated from Accept-Language. */
    language: Language;
    /** Who is making this request, resolved from the session cookie on every request. */
    actor: Actor;
  }
  interface FastifyContextConfig {
    policy?: RoutePolicy;
    /**
     * The caller may be resolved from the short-lived session cache (ResolveActorOptions.cached): only for
     * reads whose answer depends on no more than whether the caller is a member, where a change applying a few
     * milliseconds late exposes nothing (the directory's search and map).
     */
    cachedActor?: boolean;
  }
  interface FastifyInstance {
    kernel: Kernel;
  }
}

export interface AppDependencies {
  config: Config;
  database: Database;
  mailer: Mailer;
  logger: Logger;
  modules?: CairnModule[];
  jobOptions?: JobQueueOptions;
}

export const version = (
  JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }
).version;

const requestIdPattern = /^[A-Za-z0-9._-]{8,64}$/;

/** Routes that the API reference tooling adds for itself; everything else under /api is Cairn's. */
const isDocsRoute = (url: string) => url === '/api/docs' || url.startsWith('/api/docs/');

/**
 * Checks a route at registration: every API operation needs a policy, a module tag, an operationId and an
 * explicit `security` entry, so nothing reaches production unauthorised or undocumented.
 */
function assertRouteIsDeclared(route: {
  url: string;
  method: string | string[];
  config?: { policy?: RoutePolicy };
  schema?: { operationId?: string; tags?: readonly string[]; security?: unknown; hide?: boolean };
}): void {
  if (!route.url.startsWith('/api/') || isDocsRoute(route.url) || route.schema?.hide) return;
  const name = `${String(route.method)} ${route.url}`;
  if (!route.config?.policy)
    throw new Error(`Route ${name} has no policy (config.policy): access is deny-by-default`);
  if (!route.schema?.operationId) throw new Error(`Route ${name} has no schema.operationId`);
  if (route.schema.tags?.length !== 1) throw new Error(`Route ${name} needs exactly one tag (its module)`);
  if (route.schema.security === undefined)
    throw new Error(`Route ${name} must declare schema.security ([] if public)`);
}

/** Builds the Fastify app: kernel plugins first, then the modules in their explicit order. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config, database, mailer, logger } = deps;
  const modules = deps.modules ?? defaultModules;
  // Typed as Fastify's base logger so the instance type matches the plugins' FastifyInstance.
  const baseLogger: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance: baseLogger,
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
    },
    bodyLimit: config.bodyLimitBytes,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    trustProxy: config.trustProxy,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
    // Errors Fastify meets before routing (a malformed or overlong URL) leave as problem+json too.
    frameworkErrors: (error, _request, reply) => {
      void sendProblem(reply, toAppError(error));
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const bus = new EventBus(logger.child({ component: 'bus' }));
  const jobs = new JobQueue(database.db, logger.child({ component: 'jobs' }), bus, deps.jobOptions);
  const actorResolvers = modules.flatMap((module) => (module.resolveActor ? [module.resolveActor] : []));
  if (actorResolvers.length > 1) throw new Error('only one module may resolve actors');
  const resolveActor = actorResolvers[0];
  const masterKey = loadMasterKey(config.masterKey);
  const seal = (plaintext: string, aad: string) => encrypt(masterKey, plaintext, aad);
  const unseal = (sealed: string, aad: string) => decrypt(masterKey, sealed, aad);
  const keys = new Keyring({ db: database.db, jobs, log: logger, seal, unseal });
  const kernel: Kernel = {
    config,
    seal,
    unseal,
    keys,
    database,
    bus,
    jobs,
    mailer,
    log: logger,
    version,
    resolveActor: (request, options) =>
      resolveActor ? resolveActor(request, kernel, options) : Promise.resolve(anonymous),
    sendMail: async (tx, message) => {
      await jobs.enqueue(tx, 'kernel.send_mail', message);
    },
  };
  jobs.register('kernel.send_mail', async (message) => {
    await mailer.send(message);
  });
  app.decorate('kernel', kernel);
  app.decorateRequest('language', 'en');
  // Reference-type decorations must start empty (Fastify shares them); onRequest gives each request its own.
  app.decorateRequest('actor');

  app.addHook('onRequest', async (request, reply) => {
    request.language = negotiateLanguage(request.headers['accept-language']);
    request.actor = anonymous;
    void reply.header('x-request-id', request.id);
    void reply.header('content-language', request.language);
    void reply.header('vary', 'Accept-Language');
  });

  // SECURITY: the gate every API route passes before its input is even validated: CSRF, then who is asking,
  // then the route's policy. (Validating first would tell strangers what a protected route expects.)
  app.addHook('preValidation', async (request) => {
    const policy = request.routeOptions.config.policy;
    if (!policy) return;
    await passRouteGate(request, policy);
    const nul =
      findNul(request.params, 'params') ?? findNul(request.query, 'query') ?? findNul(request.body, 'body');
    if (nul) throw new AppError('validation_failed', { fields: [{ path: nul, code: 'text_nul' }] });
  });

  app.addHook('onRoute', (route) => {
    assertRouteIsDeclared(route);
    // Every operation documents its errors as problem+json.
    if (route.url.startsWith('/api/') && route.schema && !route.schema.hide && !isDocsRoute(route.url)) {
      const response = (route.schema.response ?? {}) as Record<string, unknown>;
      route.schema.response = {
        ...response,
        '4xx': response['4xx'] ?? problemSchema,
        '5xx': response['5xx'] ?? problemSchema,
      };
    }
  });

  registerProblemHandling(app);
  // Before any module's routes: it wraps the handlers of routes declared `idempotent`.
  registerIdempotency(app, kernel);
  await registerSecurity(app, config);
  await app.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip', 'deflate'] });
  await app.register(cookie);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Cairn API',
        version,
        description:
          'The API of Cairn, the collaboration platform for the anti-trafficking field. Errors are RFC 9457 ' +
          'problem+json documents with a stable `code`; messages follow the Accept-Language header ' +
          '(en, es, fr, ar).',
        license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
      },
      tags: modules.map((module) => ({ name: module.name, description: module.description })),
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: '__Host-cairn_session' },
        },
      },
      security: [{ session: [] }],
    },
    transform: (document) => markIdempotentOperation(jsonSchemaTransform(document), document.route),
    transformObject: (document) => addIdempotencyToOpenApi(jsonSchemaTransformObject(document)),
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    uiConfig: { validatorUrl: null, deepLinking: true },
    // Keep Cairn's own policy (set by helmet) and add only the hashes of swagger-ui's inline code, if any.
    transformStaticCSP: (header) =>
      header
        .replace("script-src 'self'", `script-src 'self' ${app.swaggerCSP.script.join(' ')}`)
        .replace("style-src 'self'", `style-src 'self' ${app.swaggerCSP.style.join(' ')}`),
  });
  app.get('/api/openapi.json', { schema: { hide: true }, config: { policy: publicPolicy } }, () =>
    app.swagger(),
  );

  for (const module of modules) {
    module.setup?.(kernel);
    await app.register(
      async (scope) => {
        await module.routes(scope, kernel);
      },
      { prefix: '/api' },
    );
  }

  const webIndex = path.join(webDistFolder, 'index.html');
  const hasWeb = existsSync(webIndex);
  if (hasWeb) {
    await app.register(fastifyStatic, {
      root: webDistFolder,
      prefix: '/',
      // `/` serves the app's index.html (revalidated on every visit, see setHeaders).
      index: 'index.html',
      wildcard: true,
      // Hashed assets never change; index.html must always be revalidated so new releases load.
      setHeaders: (reply, filePath) => {
        void reply.header(
          'cache-control',
          filePath.includes(`${path.sep}assets${path.sep}`)
            ? 'public, max-age=31536000, immutable'
            : 'no-cache',
        );
      },
    });
  }

  app.setNotFoundHandler((request, reply) => {
    const isApi = request.url === '/api' || request.url.startsWith('/api/');
    const wantsPage = (request.method === 'GET' || request.method === 'HEAD') && !isApi;
    // The SPA owns every other path: its router shows the localised not-found page.
    if (wantsPage && hasWeb) return reply.header('cache-control', 'no-cache').sendFile('index.html');
    return sendProblem(reply, new AppError('not_found'));
  });

  app.addHook('onReady', () => {
    if (config.runJobs) jobs.start();
  });
  app.addHook('onClose', async () => {
    await jobs.stop();
  });
  return app;
}
