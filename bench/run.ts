/**
 * The benchmark runner: `npm run bench -- <suite> [--pglite] [--duration 10] [--connections 50] [--preset small]`.
 * Makes a fresh database, runs the suite, writes bench/results/<suite>.{json,md}, prints the table, drops the
 * database, and exits 1 when a metric misses its target (2 on a usage or setup error, 130 on Ctrl-C).
 */
import os from 'node:os';
import path from 'node:path';
import { parseRunArgs, usage } from './lib/args.js';
import { Cleanup } from './lib/cleanup.js';
import type { BenchContext } from './lib/context.js';
import {
  createPgliteDatabase,
  createPostgresDatabase,
  defaultAdminUrl,
  redactPassword,
} from './lib/database.js';
import { UsageError } from './lib/errors.js';
import { resultsDir } from './lib/paths.js';
import { formatNumber, formatTable, missedTargets, writeResults } from './lib/results.js';
import { findSuite, suites } from './suites/index.js';

async function main(): Promise<number> {
  const options = parseRunArgs(process.argv.slice(2));
  if (options === 'help') {
    console.log(
      `${usage}\n\nsuites:\n${suites.map((s) => `  ${s.name.padEnd(16)} ${s.description}`).join('\n')}`,
    );
    return 0;
  }
  const suite = findSuite(options.suite);
  if (!suite) {
    throw new UsageError(`unknown suite "${options.suite}"; known: ${suites.map((s) => s.name).join(', ')}`);
  }

  const cleanup = new Cleanup();
  // Ctrl-C or a kill must still stop the servers and drop the database; a second signal gives up waiting.
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`\n${signal}: cleaning up (a second signal quits at once)`);
    void cleanup.runAll().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const startedAt = new Date();
  const log = (message: string): void => console.error(message);
  try {
    const adminUrl = process.env.BENCH_DATABASE_URL || defaultAdminUrl;
    log(options.pglite ? 'creating a PGlite folder' : `creating a database on ${redactPassword(adminUrl)}`);
    const database = options.pglite ? await createPgliteDatabase() : await createPostgresDatabase(adminUrl);
    cleanup.add(`remove ${database.description}`, () => database.dispose());
    log(`using ${database.description}`);

    const notes: string[] = [];
    const context: BenchContext = {
      options,
      database,
      cleanup,
      log,
      note: (text) => notes.push(text),
    };
    const rows = await suite.run(context);

    const cpus = os.cpus();
    const files = await writeResults(resultsDir, rows, {
      suite: suite.name,
      startedAt: startedAt.toISOString(),
      database: database.kind === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL',
      durationSeconds: options.durationSeconds,
      connections: options.connections,
      preset: options.preset.name,
      seed: options.seed,
      node: process.version,
      cpus: `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}`,
      notes,
    });
    console.log(`\n${suite.name} on ${database.kind}\n`);
    console.log(formatTable(rows));
    console.log(
      `\nwrote ${path.relative(process.cwd(), files.json)} and ${path.relative(process.cwd(), files.markdown)}`,
    );
    const missed = missedTargets(rows);
    for (const row of missed) {
      console.error(
        `MISSED: ${row.metric} = ${formatNumber(row.value)} ${row.unit}, target ${String(row.target)}`,
      );
    }
    return missed.length > 0 ? 1 : 0;
  } finally {
    await cleanup.runAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) console.error(`${error.message}\n\n${usage}`);
    else console.error(error);
    process.exitCode = 2;
  },
);
