import path from 'node:path';
import { z } from 'zod';

/** Environment values that mean "true"/"false"; anything else is a configuration error. */
const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('localhost'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  CAIRN_DATA_DIR: z.string().min(1).default('data'),
  CAIRN_DEMO_DATA: booleanFromEnv.default(true),
  CAIRN_RUN_JOBS: booleanFromEnv.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CAIRN_RATE_LIMIT_MAX: z.coerce.number().int().positive().default(300),
  CAIRN_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  CAIRN_TRUST_PROXY: booleanFromEnv.default(false),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Cairn <no-reply@cairn.localhost>'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  // Name (prepare) the statements a connection keeps sending (server/kernel/db/prepared.ts); off: all unnamed.
  DB_PREPARED_STATEMENTS: booleanFromEnv.default(true),
  // The directory's search index in a worker thread of its own (decision 0018); off: in the main thread.
  CAIRN_SEARCH_THREAD: booleanFromEnv.default(true),
  // The journey map's publication (protection and documents of a slice) in a worker thread; off: the main thread.
  CAIRN_PUBLISH_THREAD: booleanFromEnv.default(true),
  // Journey map disclosure threshold: raised by configuration, never below IOM CTDC's k = 11.
  CAIRN_JOURNEYS_K: z.coerce.number().int().min(11, 'must be at least 11').max(1000).default(11),
  // Overlap-detection lookups per person and per organisation in any 24 hours (issue 8's abuse controls).
  CAIRN_MATCHING_LOOKUPS_PER_PERSON: z.coerce.number().int().min(1).max(100_000).default(50),
  CAIRN_MATCHING_LOOKUPS_PER_ORGANISATION: z.coerce.number().int().min(1).max(1_000_000).default(500),
  CAIRN_MASTER_KEY: z
    .string()
    .refine(
      (value) => Buffer.from(value, 'base64').length === 32,
      'must be 32 random bytes in base64 (openssl rand -base64 32)',
    )
    .optional(),
});

export type RawConfig = z.infer<typeof configSchema>;

/** The parsed, validated configuration every part of Cairn reads; built once at start-up. */
export interface Config {
  env: RawConfig['NODE_ENV'];
  host: string;
  port: number;
  publicUrl: string;
  database:
    | { kind: 'postgresql'; url: string; poolMax: number; preparedStatements: boolean }
    | { kind: 'pglite'; dataDir: string };
  dataDir: string;
  demoData: boolean;
  runJobs: boolean;
  logLevel: RawConfig['LOG_LEVEL'];
  rateLimitMax: number;
  bodyLimitBytes: number;
  trustProxy: boolean;
  /** Whether the directory's search index lives in a worker thread of its own (decision 0018). */
  searchThread: boolean;
  /** Whether the journey map's publication computes its slices in a worker thread of its own. */
  publishThread: boolean;
  /** The journey map's disclosure threshold k: every number shown describes at least k people (≥ 11). */
  journeysK: number;
  /** Overlap-detection lookups allowed in any 24 hours, per person and per organisation. */
  matchingQuotas: { perPerson: number; perOrganisation: number };
  mail: { kind: 'smtp'; url: string; from: string } | { kind: 'outbox'; dir: string; from: string };
  /** The key that seals platform secrets (e.g. TOTP seeds): from CAIRN_MASTER_KEY, or a key file in development. */
  masterKey: { kind: 'env'; key: Buffer } | { kind: 'file'; path: string };
}

/** A configuration value that failed validation; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Cairn cannot start: invalid configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; throws ConfigError naming each variable that is wrong. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  // Empty strings are treated as unset so `PORT= npm start` behaves like no PORT at all.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const given = cleaned[name];
        // Never echo DATABASE_URL or SMTP_URL values: they can carry passwords.
        const shown = given === undefined || /URL/.test(name) ? '' : ` (got "${given}")`;
        // Never echo secrets either.
        return `${name}: ${issue.message}${/KEY/.test(name) ? '' : shown}`;
      }),
    );
  }
  const raw = parsed.data;
  if (raw.NODE_ENV === 'production' && !raw.CAIRN_MASTER_KEY) {
    // SECURITY: in production the key must not sit beside the data it protects.
    throw new ConfigError(['CAIRN_MASTER_KEY: required when NODE_ENV=production (openssl rand -base64 32)']);
  }
  const dataDir = path.resolve(cwd, raw.CAIRN_DATA_DIR);
  const shownHost = raw.HOST === '0.0.0.0' || raw.HOST === '::' ? 'localhost' : raw.HOST;
  return {
    env: raw.NODE_ENV,
    host: raw.HOST,
    port: raw.PORT,
    publicUrl: (raw.PUBLIC_URL ?? `http://${shownHost}:${raw.PORT}`).replace(/\/$/, ''),
    database: raw.DATABASE_URL
      ? {
          kind: 'postgresql',
          url: raw.DATABASE_URL,
          poolMax: raw.DB_POOL_MAX,
          preparedStatements: raw.DB_PREPARED_STATEMENTS,
        }
      : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') },
    dataDir,
    demoData: raw.CAIRN_DEMO_DATA,
    runJobs: raw.CAIRN_RUN_JOBS,
    logLevel: raw.LOG_LEVEL,
    rateLimitMax: raw.CAIRN_RATE_LIMIT_MAX,
    bodyLimitBytes: raw.CAIRN_BODY_LIMIT_BYTES,
    trustProxy: raw.CAIRN_TRUST_PROXY,
    searchThread: raw.CAIRN_SEARCH_THREAD,
    publishThread: raw.CAIRN_PUBLISH_THREAD,
    journeysK: raw.CAIRN_JOURNEYS_K,
    matchingQuotas: {
      perPerson: raw.CAIRN_MATCHING_LOOKUPS_PER_PERSON,
      perOrganisation: raw.CAIRN_MATCHING_LOOKUPS_PER_ORGANISATION,
    },
    mail: raw.SMTP_URL
      ? { kind: 'smtp', url: raw.SMTP_URL, from: raw.MAIL_FROM }
      : { kind: 'outbox', dir: path.join(dataDir, 'outbox'), from: raw.MAIL_FROM },
    masterKey: raw.CAIRN_MASTER_KEY
      ? { kind: 'env', key: Buffer.from(raw.CAIRN_MASTER_KEY, 'base64') }
      : { kind: 'file', path: path.join(dataDir, 'master.key') },
  };
}

/** Documentation of every variable, used by the README table test so the two never drift. */
export const configVariables = Object.keys(configSchema.shape) as (keyof RawConfig)[];
