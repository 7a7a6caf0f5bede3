import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BenchContext } from './context.js';
import { projectRoot } from './paths.js';
import { freePort } from './ports.js';
import { startService } from './service.js';
import type { Service } from './service.js';

/** Cairn's health answer (server/…/health route). */
export interface CairnHealth {
  status: string;
  database: string;
  version: string;
}

const notedVersions = new WeakMap<BenchContext, Set<string>>();

export interface StartCairnOptions {
  /**
   * Load the demo data (`CAIRN_DEMO_DATA=true`): its accounts can sign in with `demoPassword`. Loaded once,
   * on the first start of a run that asks for it; later starts find it in place. Default false.
   */
  demoData?: boolean;
}

/** The compiled server, refused when missing or older than a source file (a stale build measures old code). */
export function compiledMain(): string {
  const main = path.join(projectRoot, 'dist', 'server', 'main.js');
  if (!existsSync(main))
    throw new Error(`${main} is missing: run npm run build:server (npm run bench does).`);
  const built = statSync(main).mtimeMs;
  const newer = readdirSync(path.join(projectRoot, 'server'), { recursive: true, encoding: 'utf8' }).find(
    (file) =>
      file.endsWith('.ts') &&
      // What tsconfig.server.json leaves out of the build.
      !/^(test|security)\/|\.(test|matrix)\.ts$/.test(file) &&
      statSync(path.join(projectRoot, 'server', file)).mtimeMs > built,
  );
  if (newer)
    throw new Error(`server/${newer} is newer than ${main}: run npm run build:server (npm run bench does).`);
  return main;
}

/**
 * The node flags `npm start` gives Cairn (package.json's `start` script, e.g. the young generation's size:
 * docs/decisions/0017-node-young-generation.md), so the bench starts the server as a deployment does.
 */
export function startScriptFlags(script?: string): string[] {
  const start =
    script ??
    (
      JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
        scripts: { start: string };
      }
    ).scripts.start;
  const words = start.trim().split(/\s+/);
  if (words[0] !== 'node') throw new Error(`package.json's start script does not run node: ${start}`);
  const flags: string[] = [];
  for (const word of words.slice(1)) {
    if (!word.startsWith('--')) break;
    flags.push(word);
  }
  return flags;
}

/**
 * Extra flags for the node process of Cairn under test, from `BENCH_CAIRN_NODE_FLAGS` (space-separated, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the server while it is measured: node refuses `--cpu-prof`
 * in NODE_OPTIONS). Only flags: anything else would change what is started.
 */
export function cairnNodeFlags(value = process.env.BENCH_CAIRN_NODE_FLAGS): string[] {
  const flags = (value ?? '').split(/\s+/).filter((flag) => flag !== '');
  const notFlag = flags.find((flag) => !flag.startsWith('--'));
  if (notFlag) throw new Error(`BENCH_CAIRN_NODE_FLAGS holds "${notFlag}", which is not a --flag`);
  return flags;
}

/**
 * Starts Cairn as `npm start` runs it, the compiled server with the start script's node flags (`node
 * --max-semi-space-size=64 dist/server/main.js start`; `npm run bench` compiles it first: the sources through
 * tsx cost a fifth of the throughput, measured by the crash suite) on this run's database, with the global rate
 * limit lifted so it measures the work, not the limiter (a route's own `rateLimit` still applies). Waits for `/api/health`; the first start also runs the migrations, which is
 * why the timeout is generous.
 */
export async function startCairn(
  context: BenchContext,
  options: StartCairnOptions = {},
): Promise<{ service: Service; health: CairnHealth }> {
  const port = await freePort();
  const demo = options.demoData === true;
  const flags = [...startScriptFlags(), ...cairnNodeFlags()];
  context.log(`starting Cairn on port ${port} (${context.database.kind}${demo ? ', demo data' : ''})`);
  const service = await startService({
    name: 'cairn',
    nodeArgs: [...flags, compiledMain(), 'start'],
    env: {
      ...context.database.cairnEnv(),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      CAIRN_DEMO_DATA: demo ? 'true' : 'false',
      CAIRN_RATE_LIMIT_MAX: '100000000',
    },
    port,
    healthPath: '/api/health',
    startTimeoutMs: 60_000,
    // A profile of a long measurement takes a while to write at exit: not a reason to kill the server.
    ...(flags.length > 0 ? { stopTimeoutMs: 120_000 } : {}),
    cleanup: context.cleanup,
  });
  const response = await fetch(`${service.baseUrl}/api/health`);
  const health = (await response.json()) as CairnHealth;
  if (health.database !== context.database.kind) {
    // A stray DATABASE_URL or data dir would mean benchmarking some other database than this run's.
    await service.stop();
    throw new Error(`Cairn reports database "${health.database}", expected "${context.database.kind}"`);
  }
  // A suite may start Cairn several times; the report names the version once.
  const noted = notedVersions.get(context) ?? new Set<string>();
  notedVersions.set(context, noted);
  const note = `Cairn ${health.version} on ${health.database}`;
  if (!noted.has(note)) context.note(note);
  noted.add(note);
  return { service, health };
}
