#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { buildApp, version } from './app.js';
import { verifyAuditChain } from './kernel/audit/audit.js';
import {
  BackupRefusal,
  backupReport,
  createBackup,
  restoreBackup,
  restoreReport,
  restoreSucceeded,
} from './kernel/backup/backup.js';
import { ConfigError, loadConfig, type Config } from './kernel/config.js';
import { runKeysCommand } from './kernel/crypto/keys.cli.js';
import { fromPglite, openDatabase, type Database } from './kernel/db/client.js';
import { DataDirLockedError } from './kernel/db/lock.js';
import { createLogger } from './kernel/logging.js';
import { createMailer } from './kernel/mail/mail.js';
import { ensureDemoData } from './kernel/seed.js';
import type { DemoAccount } from './kernel/kernel.js';
import { modules } from './modules/index.js';

const usage = `Usage: cairn <command>

Commands:
  start            migrate, load demo data on first start (CAIRN_DEMO_DATA), serve the app and API
  worker           migrate, then run background jobs only (no HTTP)
  migrate          apply database migrations and exit
  verify-audit     check the audit trail's hash chain; names the first broken entry (exit 2 if broken)
  backup <file>    back up the database (PostgreSQL: pg_dump, while Cairn runs; PGlite: Cairn stopped) to a new file
  restore <file>   restore a backup into an EMPTY database, then check every table and the audit chain (exit 2 if not identical)
  openapi <file>   write the OpenAPI document to <file>
  keys <command>   organisation and blind-index keys: status, rotate, rotate-index, destroy-retired ('cairn keys' lists them)
`;

function fail(message: string): never {
  process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
}

async function open(config: Config): Promise<Database> {
  try {
    return await openDatabase(config.database);
  } catch (error) {
    if (error instanceof DataDirLockedError) fail(error.message);
    const reason = error instanceof Error ? error.message : String(error);
    fail(
      config.database.kind === 'postgresql'
        ? `Cairn could not open PostgreSQL (DATABASE_URL): ${reason}`
        : `Cairn could not open the embedded database in ${config.database.dataDir}: ${reason}`,
    );
  }
}

function banner(config: Config, url: string, accounts: DemoAccount[]): string {
  const lines = [``, `  Cairn ${version} is running at ${url}`, `  API reference: ${url}/api/docs`];
  if (config.database.kind === 'pglite') {
    lines.push(
      `  Database: embedded PGlite in ${config.database.dataDir}`,
      `  The embedded database is for trying Cairn, not for production: set DATABASE_URL to use PostgreSQL.`,
    );
  } else {
    lines.push(`  Database: PostgreSQL`);
  }
  if (config.mail.kind === 'outbox')
    lines.push(`  Outgoing mail is written to ${config.mail.dir} (set SMTP_URL to send it)`);
  if (accounts.length > 0) {
    lines.push(``, `  Demo accounts (fictional, for trying Cairn only — never for real work):`);
    for (const account of accounts) {
      const where = account.organisation ? `  ${account.organisation}` : '';
      lines.push(`    ${account.role.padEnd(16)} ${account.email.padEnd(26)}${where}`.trimEnd());
      if (account.secret) lines.push(`    ${''.padEnd(16)} second factor: ${account.secret}`);
    }
    const passwords = new Set(accounts.map((account) => account.password).filter(Boolean));
    if (passwords.size === 1) lines.push(``, `  Password of every demo account: ${[...passwords][0]}`);
    lines.push(`  Add the TOTP secrets to any authenticator app, or add a passkey after signing in.`);
  } else if (config.demoData) {
    lines.push(``, `  Demo data: none yet — sign-in and demo accounts arrive with the identity module.`);
  }
  lines.push(``, `  Stop with Ctrl+C.`, ``);
  return lines.join('\n');
}

/** Closes everything once on SIGINT/SIGTERM; a second signal forces the exit. */
function onShutdown(close: () => Promise<void>): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    process.stderr.write(
      `\nCairn: ${signal} received, finishing in-flight requests and closing the database…\n`,
    );
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const logger = createLogger(config.logLevel);

  switch (command) {
    case 'start': {
      const database = await open(config);
      const mailer = createMailer(config.mail);
      const app = await buildApp({ config, database, mailer, logger });
      const demo = config.demoData ? await ensureDemoData(app.kernel, modules) : { accounts: [] };
      onShutdown(async () => {
        await app.close();
        mailer.close();
        await database.close();
      });
      const address = await app.listen({ host: config.host, port: config.port });
      for (const module of modules) {
        // Warm-ups run in the background: a failure is logged and the work happens on first use instead.
        module
          .warmUp?.(app.kernel)
          .catch((error: unknown) => logger.warn({ err: error, module: module.name }, 'warm-up failed'));
      }
      const port = new URL(address).port;
      const shownHost = ['0.0.0.0', '::'].includes(config.host) ? 'localhost' : config.host;
      process.stdout.write(banner(config, `http://${shownHost}:${port}`, demo.accounts) + '\n');
      return;
    }
    case 'worker': {
      const database = await open(config);
      const mailer = createMailer(config.mail);
      const app = await buildApp({ config: { ...config, runJobs: true }, database, mailer, logger });
      await app.ready();
      onShutdown(async () => {
        await app.close();
        mailer.close();
        await database.close();
      });
      logger.info('Cairn worker is running background jobs');
      return;
    }
    case 'migrate': {
      const database = await open(config);
      await database.close();
      process.stdout.write('Cairn: migrations applied.\n');
      return;
    }
    case 'verify-audit': {
      const database = await open(config);
      const result = await verifyAuditChain(database.db);
      await database.close();
      if (result.ok) {
        process.stdout.write(`Cairn: the audit trail verifies (${result.checked} entries).\n`);
        return;
      }
      process.stderr.write(
        `Cairn: the audit trail does NOT verify: entry ${result.brokenId ?? '(head)'} — ${result.reason}. ` +
          `${result.checked} entries before it verified.\n`,
      );
      process.exitCode = 2;
      return;
    }
    case 'backup':
    case 'restore': {
      const file = rest[0] ?? fail(usage);
      try {
        if (command === 'backup') {
          process.stdout.write(backupReport(await createBackup(config, version, file)));
          return;
        }
        const result = await restoreBackup(config, file);
        process.stdout.write(restoreReport(result));
        if (!restoreSucceeded(result)) process.exitCode = 2;
      } catch (error) {
        if (error instanceof BackupRefusal) fail(`Cairn: ${error.message}`);
        fail(`Cairn: the ${command} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      return;
    }
    case 'keys': {
      // The full app, so every module has registered what it encrypts; jobs are driven here, not polled.
      const database = await open(config);
      const mailer = createMailer(config.mail);
      const app = await buildApp({ config: { ...config, runJobs: false }, database, mailer, logger });
      await app.ready();
      try {
        process.exitCode = await runKeysCommand(app.kernel.keys, rest, (line) =>
          process.stdout.write(`${line}\n`),
        );
      } catch (error) {
        process.stderr.write(
          `Cairn: keys ${rest[0] ?? ''} failed: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exitCode = 1;
      } finally {
        await app.close();
        mailer.close();
        await database.close();
      }
      return;
    }
    case 'openapi': {
      const file = rest[0] ?? fail(usage);
      // The document depends only on the routes, so a throwaway in-memory database is enough.
      const database = fromPglite(await PGlite.create());
      const mailer = createMailer(config.mail);
      const app = await buildApp({ config: { ...config, runJobs: false }, database, mailer, logger });
      await app.ready();
      await writeFile(file, JSON.stringify(app.swagger(), null, 2) + '\n');
      await app.close();
      await database.close();
      return;
    }
    default:
      fail(usage);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `Cairn failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
