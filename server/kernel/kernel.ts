import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from './access/policy.js';
import type { Logger } from 'pino';
import type { EventBus } from './bus/bus.js';
import type { Config } from './config.js';
import type { Keyring } from './crypto/keyring.js';
import type { Tx } from './db/types.js';
import type { Database } from './db/client.js';
import type { JobQueue } from './jobs/jobs.js';
import type { MailMessage, Mailer } from './mail/mail.js';

/** The services every module receives: one instance per process, built in server/app.ts. */
/** How an actor is resolved: `touch` (default true) counts the request as activity of the session. */
export interface ResolveActorOptions {
  touch?: boolean;
  /**
   * The session may come from the identity module's short-lived cache, kept in step by notifications (a change
   * applies a few milliseconds after its commit instead of at once). Only for routes that declare
   * `config.cachedActor`.
   */
  cached?: boolean;
}

export interface Kernel {
  config: Config;
  database: Database;
  bus: EventBus;
  jobs: JobQueue;
  mailer: Mailer;
  log: Logger;
  version: string;
  /** Seals a platform secret (AES-256-GCM under the master key), bound to where it is stored. */
  seal: (plaintext: string, aad: string) => string;
  /** Opens what seal() produced, with the same aad. */
  unseal: (sealed: string, aad: string) => string;
  /**
   * Organisation data keys and blind-index keys: sealField/openField for identifying fields, blindIndex for
   * equality search and matching, rotation and destruction (docs/decisions/0008-keyring.md).
   */
  keys: Keyring;
  /**
   * Resolves who is making a request (the identity module provides the resolver; anonymous without it).
   * `touch: false` re-checks a long-lived connection's rights without counting as activity (no sliding of the
   * session's idle timeout).
   */
  resolveActor: (request: FastifyRequest, options?: ResolveActorOptions) => Promise<Actor>;
  /** Queues an email in the caller's transaction; it is sent by a job after commit, with retries. */
  sendMail: (tx: Tx, message: MailMessage) => Promise<void>;
}

/** A demo account a module created; `npm start` prints these so a newcomer can sign in. */
export interface DemoAccount {
  role: string;
  email: string;
  organisation?: string;
  /** The demo password (demo installations only). */
  password?: string;
  secret?: string;
}

/**
 * What a module gives the app. server/modules/index.ts lists them in dependency order (no autoload):
 * routes are mounted under /api, tagged with the module's name in OpenAPI.
 */
export interface CairnModule {
  name: string;
  description: string;
  routes: (app: FastifyInstance, kernel: Kernel) => Promise<void>;
  /** Job handlers and event subscriptions. */
  setup?: (kernel: Kernel) => void;
  /** Work to start in the background once the web server listens (e.g. loading an in-memory index). */
  warmUp?: (kernel: Kernel) => Promise<void>;
  /** Resolves who is making a request (one module, identity, provides it). */
  resolveActor?: (request: FastifyRequest, kernel: Kernel, options?: ResolveActorOptions) => Promise<Actor>;
  /** Demo data for `npm start` on an empty database. */
  seed?: (kernel: Kernel) => Promise<DemoAccount[]>;
}
