import { Writable } from 'node:stream';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { loadConfig, type Config } from '../kernel/config.js';
import type { CairnModule } from '../kernel/kernel.js';
import { createLogger } from '../kernel/logging.js';
import { createOutboxMailer, type Mailer } from '../kernel/mail/mail.js';
import { modules as defaultModules } from '../modules/index.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  config: Config;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  /** The raw log text, for scanning for canaries. */
  rawLogs: () => string;
  close: () => Promise<void>;
}

/**
 * Builds the real app over a fresh test database. Logs are captured in memory (at debug level) so tests can
 * prove what does and does not reach them; mail goes to a temp outbox unless a mailer is given.
 */
export async function createTestApp(
  options: {
    env?: Record<string, string>;
    modules?: CairnModule[];
    mailer?: Mailer;
    database?: TestDatabase;
  } = {},
): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'cairn-app-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    CAIRN_DATA_DIR: dataDir,
    LOG_LEVEL: 'debug',
    CAIRN_RUN_JOBS: 'false',
    // The search index in the test's own thread (a test of the search thread asks for it).
    CAIRN_SEARCH_THREAD: 'false',
    CAIRN_PUBLISH_THREAD: 'false',
    ...options.env,
  });
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  const database = options.database ?? (await createTestDatabase());
  const mailer = options.mailer ?? createOutboxMailer(path.join(dataDir, 'outbox'), config.mail.from);
  const app = await buildApp({
    config,
    database,
    mailer,
    logger,
    modules: options.modules ?? defaultModules,
    jobOptions: { pollIntervalMs: 50, retryBaseMs: 10 },
  });
  await app.ready();
  const rawLogs = () => chunks.join('');
  return {
    app,
    database,
    config,
    get logs() {
      return rawLogs()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    rawLogs,
    close: async () => {
      await app.close();
      mailer.close();
      if (!options.database) await database.close();
    },
  };
}
