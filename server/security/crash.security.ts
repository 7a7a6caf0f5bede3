import { execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../../bench/lib/cleanup.js';
import { freePort } from '../../bench/lib/ports.js';
import { compiledMain } from '../../bench/lib/cairn.js';
import { childEnv, startService, type Service } from '../../bench/lib/service.js';
import { verifyAuditChain } from '../kernel/audit/audit.js';
import { appRolePool, fromPool } from '../kernel/db/client.js';
import { projectRoot } from '../paths.js';
import { createMember, signIn } from '../test/factories.js';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.js';
import { report } from './support.js';

/**
 * Crash: a steady write load through the API on a real PostgreSQL server of the suite's own, while the Cairn
 * process is killed with SIGKILL twice and PostgreSQL is stopped in immediate mode once (each restarted; Cairn
 * must get its connections back by itself). Every write carries its own Idempotency-Key and a unique marker,
 * and a client whose request fails (reset, 5xx, 503, 409 "still in progress") retries it with the same key and
 * body. Afterwards every write that got a 2xx must be in the database exactly once, with the id its answer
 * named, audited once, and the audit chain must verify. `npm run test:security` only.
 *
 * The write is inviteMember (an organisation admin invites an address; the marker is the address): it opted
 * into Idempotency-Key and has no route-specific rate limit (support requests and messages allow 10–20 a
 * minute, which would turn the load into 429s), and the global one is lifted with CAIRN_RATE_LIMIT_MAX. A
 * retried invitation without a key would be refused as "already invited" (409), so an acknowledged write that
 * went missing, or a retry that ran the change twice, both show.
 *
 * Knobs: CAIRN_CRASH_SECONDS (load, default 75), CAIRN_CRASH_RATE (writes a second aimed at, default 150),
 * CAIRN_CRASH_CLIENTS (concurrent clients, default 16).
 */

const loadSeconds = Number(process.env.CAIRN_CRASH_SECONDS ?? 75);
const targetRate = Number(process.env.CAIRN_CRASH_RATE ?? 150);
const clientCount = Number(process.env.CAIRN_CRASH_CLIENTS ?? 16);
/** After the load, how long writes still being retried get to finish. */
const settleSeconds = 30;
const minimumRate = 100;

const execute = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const runId = randomBytes(4).toString('hex');
/**
 * The load's HTTP client: node:http on kept-alive connections, lighter than fetch, so the clients take as little
 * as they can of the two cores Cairn and PostgreSQL share with them. Rejects on a network error or after 10 s.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function post(
  pathname: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port: cairnPort, path: pathname, method: 'POST', agent, headers, timeout: 10_000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('no answer within 10 s')));
    request.on('error', reject);
    request.end(body);
  });
}

const markerPrefix = `crash-${runId}-`;

interface Admin {
  organisationId: string;
  personId: string;
  cookie: string;
}

/** One write, from its first attempt to its outcome. */
interface Write {
  index: number;
  email: string;
  attempts: number;
  /** The invitation id the 2xx answer named. */
  ackedId: string | null;
  replayed: boolean;
  /** A refusal that a retry must never get (e.g. 409 "already invited": the change ran twice). */
  failure: string | null;
  /** Still unanswered when the run ended. */
  gaveUp: boolean;
}

interface Fault {
  what: string;
  at: number;
  /** When the fault's restart was done (Cairn healthy again, or PostgreSQL accepting connections). */
  restartedAt: number;
  /** From the fault until the first write acknowledged after the restart. */
  downSeconds: number | null;
}

const cleanup = new Cleanup();
let postgres: PrivatePostgres;
let cairn: Service;
let cairnPort: number;
let dataDir: string;
const admins: Admin[] = [];
const masterKey = randomBytes(32).toString('base64');

function cairnEnv(): Record<string, string | undefined> {
  return {
    DATABASE_URL: postgres.url('cairn'),
    NODE_ENV: 'production',
    CAIRN_MASTER_KEY: masterKey,
    CAIRN_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(cairnPort),
    LOG_LEVEL: 'warn',
    CAIRN_DEMO_DATA: 'false',
    // The web process serves the API only; the background jobs (each invitation's mail) run in a worker
    // process, as README.md describes for production, at the lowest CPU priority (see startWorker).
    CAIRN_RUN_JOBS: 'false',
    CAIRN_RATE_LIMIT_MAX: '100000000',
    SMTP_URL: undefined,
    TEST_DATABASE_URL: undefined,
  };
}

/**
 * Cairn as `npm start` runs it: the compiled server (`npm run test:security` builds it first), not the sources
 * through tsx, whose loader and source maps cost a fifth of the throughput under this load. Set in beforeAll,
 * which refuses a missing or stale build.
 */
let mainScript: string;

/** Starts Cairn on the private server, on the same port every time (clients keep their URL). */
async function startCairn(): Promise<Service> {
  return startService({
    name: 'cairn',
    nodeArgs: [mainScript, 'start'],
    env: cairnEnv(),
    port: cairnPort,
    healthPath: '/api/health',
    startTimeoutMs: 90_000,
    cleanup,
  });
}

/**
 * The job worker (`main.js worker`), under `nice -n 19`: on this suite's two shared cores the mail of 100
 * invitations a second would otherwise take a fifth of the CPU from the writes being measured (115 vs 94
 * writes/s, measured); niced, it sends them with what the writes leave, as a production worker on its own core
 * would. It stays up through the faults (PostgreSQL's restart included) and its jobs are counted at the end.
 */
function startWorker(): void {
  const worker = spawn('nice', ['-n', '19', process.execPath, mainScript, 'worker'], {
    cwd: projectRoot,
    env: childEnv(cairnEnv()),
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  cleanup.add('Cairn worker', async () => {
    worker.kill('SIGKILL');
    await exited;
  });
}

beforeAll(async () => {
  mainScript = compiledMain();
  postgres = await startPrivatePostgres();
  cleanup.add('private PostgreSQL', () => postgres.dispose());
  dataDir = await mkdtemp(path.join(tmpdir(), 'cairn-crash-data-'));
  cleanup.add('Cairn data folder', () => rm(dataDir, { recursive: true, force: true }));
  cairnPort = await freePort();
  // The first start migrates the empty database.
  cairn = await startCairn();
  startWorker();
  // Organisation admins (fully enrolled, signed in) made by the test factories, as the other suites do.
  const database = fromPool(appRolePool(postgres.url('cairn'), 2));
  try {
    // One organisation and admin per client: invitations lock their organisation's row (so two cannot race
    // for one address), and the load should come from many organisations, not queue behind a few.
    for (let i = 0; i < clientCount; i++) {
      const { membership, personId, organisationId } = await createMember(database.db, { role: 'org_admin' });
      const { cookie } = await signIn(database.db, personId, { membershipId: membership.id });
      admins.push({ organisationId, personId, cookie });
    }
  } finally {
    await database.close();
  }
});

afterAll(async () => {
  await cleanup.runAll();
});

/** Answers a retry may get while the system recovers; anything else non-2xx is a finding. */
function retryable(status: number, code: string | undefined): boolean {
  return status >= 500 || (status === 409 && code === 'idempotency_key_in_progress');
}

describe('crash: kill -9 Cairn twice and PostgreSQL once under a steady write load', () => {
  const writes: Write[] = [];
  const faults: Fault[] = [];
  const acks: number[] = [];
  const counts = { attempts: 0, network: 0, server: 0, inProgress: 0 };
  let loadStart = 0;
  let loadEnd = 0;
  /** Set when a fault could not be undone (Cairn or PostgreSQL would not start again): clients stop. */
  let aborted = false;

  async function attemptWrite(write: Write, admin: Admin, key: string, hardEnd: number): Promise<void> {
    const body = JSON.stringify({ email: write.email, role: 'member' });
    let backoff = 50;
    while (Date.now() < hardEnd && !aborted) {
      write.attempts++;
      counts.attempts++;
      try {
        const response = await post(
          `/api/identity/organisations/${admin.organisationId}/invitations`,
          { 'content-type': 'application/json', cookie: admin.cookie, 'idempotency-key': key },
          body,
        );
        const text = response.text;
        if (response.status === 201) {
          write.ackedId = (JSON.parse(text) as { id: string }).id;
          write.replayed = response.headers['idempotent-replayed'] === 'true';
          acks.push(Date.now());
          return;
        }
        let code: string | undefined;
        try {
          code = (JSON.parse(text) as { code?: string }).code;
        } catch {
          code = undefined;
        }
        if (!retryable(response.status, code)) {
          write.failure = `${response.status} ${code ?? text.slice(0, 80)}`;
          return;
        }
        if (response.status === 409) counts.inProgress++;
        else counts.server++;
      } catch {
        // Connection refused or reset (Cairn is down), or no answer within the timeout.
        counts.network++;
      }
      await sleep(backoff + Math.random() * backoff);
      backoff = Math.min(backoff * 2, 500);
    }
    write.gaveUp = true;
  }

  /** One client: takes the next write on the schedule, waits for its time, and sees it through. */
  async function client(admin: Admin, next: () => number, hardEnd: number): Promise<void> {
    // New writes start until the load ends; a client behind the schedule (after a fault) catches up at once.
    while (Date.now() < loadEnd && !aborted) {
      const index = next();
      const due = loadStart + (index * 1000) / targetRate;
      if (due >= loadEnd) return;
      if (due > Date.now()) await sleep(due - Date.now());
      const write: Write = {
        index,
        email: `${markerPrefix}${index}@crash.cairn.test`,
        attempts: 0,
        ackedId: null,
        replayed: false,
        failure: null,
        gaveUp: false,
      };
      writes.push(write);
      await attemptWrite(write, admin, randomUUID(), hardEnd);
    }
  }

  async function killCairn(): Promise<void> {
    const fault: Fault = { what: 'kill -9 Cairn', at: Date.now(), restartedAt: 0, downSeconds: null };
    faults.push(fault);
    try {
      process.kill(cairn.pid, 'SIGKILL');
    } catch {
      throw new Error(`Cairn had already exited before the kill. Its last output:\n${cairn.output()}`);
    }
    await cairn.stop();
    cairn = await startCairn();
    fault.restartedAt = Date.now();
  }

  async function crashPostgres(): Promise<void> {
    const fault: Fault = {
      what: 'PostgreSQL stop -m immediate',
      at: Date.now(),
      restartedAt: 0,
      downSeconds: null,
    };
    faults.push(fault);
    await postgres.crash();
    await sleep(3_000);
    await postgres.start();
    fault.restartedAt = Date.now();
  }

  it(
    'keeps every acknowledged write exactly once, with the id it was answered with',
    async () => {
      let issued = 0;
      loadStart = Date.now() + 500;
      loadEnd = loadStart + loadSeconds * 1000;
      const hardEnd = loadEnd + settleSeconds * 1000;
      const clients = admins.map((admin) => client(admin, () => issued++, hardEnd));
      const chaos = (async () => {
        const at = (fraction: number) =>
          sleep(Math.max(0, loadStart + fraction * loadSeconds * 1000 - Date.now()));
        await at(0.2);
        await killCairn();
        await at(0.45);
        await crashPostgres();
        await at(0.7);
        await killCairn();
      })().catch((error: unknown) => {
        aborted = true;
        throw error;
      });
      await Promise.all([chaos, ...clients].map((task) => task.catch((error: unknown) => error)));
      // A restart that failed fails the test, with the server's own words.
      await chaos;

      // Downtime: from each fault to the first write answered after its restart.
      for (const fault of faults) {
        const back = acks.find((time) => time > fault.restartedAt);
        fault.downSeconds = back === undefined ? null : (back - fault.at) / 1000;
      }

      const admin = new pg.Client({ connectionString: postgres.url('cairn') });
      await admin.connect();
      let stored: { email: string; n: number; ids: string[] }[];
      let audited: { object_id: string; n: number }[];
      let keyStates: { state: string; n: number }[];
      let jobStates: { status: string; n: number }[];
      try {
        // The suite's superuser connection reads past row-level security: every invitation of this run.
        stored = (
          await admin.query<{ email: string; n: number; ids: string[] }>(
            `select email, count(*)::int as n, array_agg(id::text) as ids from identity_invitations
             where email like $1 group by email`,
            [`${markerPrefix}%`],
          )
        ).rows;
        const ids = stored.flatMap((row) => row.ids);
        audited = (
          await admin.query<{ object_id: string; n: number }>(
            `select object_id, count(*)::int as n from kernel_audit
             where action = 'identity.member_invited' and object_id = any($1::text[]) group by object_id`,
            [ids],
          )
        ).rows;
        keyStates = (
          await admin.query<{ state: string; n: number }>(
            `select state, count(*)::int as n from kernel_idempotency_keys where scope = any($1::text[]) group by state`,
            [admins.map((a) => `${a.organisationId}:${a.personId}`)],
          )
        ).rows;
        jobStates = (
          await admin.query<{ status: string; n: number }>(
            `select status, count(*)::int as n from kernel_jobs group by status order by status`,
          )
        ).rows;
      } finally {
        await admin.end();
      }

      const byEmail = new Map(stored.map((row) => [row.email, row]));
      const acked = writes.filter((w) => w.ackedId !== null);
      const missing = acked.filter((w) => !byEmail.has(w.email)).map((w) => w.email);
      const wrongId = acked.filter((w) => byEmail.get(w.email)?.ids[0] !== w.ackedId).map((w) => w.email);
      const duplicated = stored.filter((row) => row.n !== 1).map((row) => `${row.email} ×${row.n}`);
      const issuedEmails = new Set(writes.map((w) => w.email));
      const ackedEmails = new Set(acked.map((w) => w.email));
      const unacknowledged = stored.filter((row) => !ackedEmails.has(row.email));
      const strays = unacknowledged.filter((row) => !issuedEmails.has(row.email)).map((row) => row.email);
      const failures = writes.filter((w) => w.failure).map((w) => `${w.email}: ${w.failure}`);
      const gaveUp = writes.filter((w) => w.gaveUp);
      const gaveUpEmails = new Set(gaveUp.map((w) => w.email));
      const auditedOnce = new Map(audited.map((row) => [row.object_id, row.n]));
      const auditProblems = stored
        .flatMap((row) => row.ids)
        .filter((id) => auditedOnce.get(id) !== 1)
        .map((id) => `${id} audited ${auditedOnce.get(id) ?? 0}×`);
      const keysDone = keyStates.find((row) => row.state === 'done')?.n ?? 0;
      const keysPending = keyStates.find((row) => row.state === 'pending')?.n ?? 0;
      // The rate is what was acknowledged during the load itself, downtime included.
      const ackedDuringLoad = acks.filter((time) => time >= loadStart && time <= loadEnd).length;
      const rate = ackedDuringLoad / loadSeconds;
      const downSeconds = faults.reduce((sum, f) => sum + (f.downSeconds ?? 0), 0);
      const rateWhileUp = ackedDuringLoad / Math.max(1, loadSeconds - downSeconds);

      report(
        [
          `crash: ${writes.length} writes issued over ${loadSeconds}s by ${clientCount} clients ` +
            `(aimed at ${targetRate}/s), ${counts.attempts} HTTP attempts, ${counts.attempts - writes.length} retries ` +
            `(${counts.network} connection failures, ${counts.server} 5xx, ${counts.inProgress} × 409 in progress)`,
          `  2xx: ${acked.length}, ${ackedDuringLoad} of them during the load: ${rate.toFixed(1)} writes/s ` +
            `(${rateWhileUp.toFixed(1)}/s outside the ${downSeconds.toFixed(1)}s of downtime, minimum ${minimumRate}), ` +
            `of which ${acked.filter((w) => w.replayed).length} replayed stored answers; ` +
            `${gaveUp.length} unanswered at the end, ${failures.length} refused`,
          `  faults: ${faults.map((f) => `${f.what} at +${((f.at - loadStart) / 1000).toFixed(1)}s, down ${f.downSeconds?.toFixed(1) ?? '?'}s`).join('; ')}`,
          `  database: ${stored.length} invitations of this run, ${duplicated.length} duplicated, ` +
            `${missing.length} acknowledged but missing, ${wrongId.length} with another id than answered, ` +
            `${unacknowledged.length} present but unacknowledged; idempotency keys ${keysDone} done, ${keysPending} pending; ` +
            `${auditProblems.length} invitations not audited exactly once; ` +
            `jobs (the worker's): ${jobStates.map((row) => `${row.n} ${row.status}`).join(', ')}`,
        ].join('\n'),
      );

      expect(faults.map((f) => f.what)).toEqual([
        'kill -9 Cairn',
        'PostgreSQL stop -m immediate',
        'kill -9 Cairn',
      ]);
      expect(failures, 'answers a retry must never get').toEqual([]);
      expect(missing, 'acknowledged writes missing from the database').toEqual([]);
      expect(duplicated, 'writes stored more than once').toEqual([]);
      expect(wrongId, 'stored under another id than the answer named').toEqual([]);
      expect(strays, 'invitations nobody sent').toEqual([]);
      // A write may be committed and unacknowledged only if its client was still retrying when the run ended.
      expect(unacknowledged.filter((row) => !gaveUpEmails.has(row.email)).map((row) => row.email)).toEqual(
        [],
      );
      expect(auditProblems).toEqual([]);
      // The claim commits with the change: no committed key is left half-done, and every change has its key.
      expect(keysPending).toBe(0);
      expect(keysDone).toBe(stored.length);
      for (const fault of faults)
        expect(fault.downSeconds, `${fault.what}: Cairn never answered again`).not.toBeNull();
      // The steady load is judged while Cairn is up: during the suite's own faults nothing can be written, and
      // counting those seconds would measure the faults, not the load (both rates are reported above).
      expect(rateWhileUp).toBeGreaterThanOrEqual(minimumRate);
    },
    (loadSeconds + settleSeconds + 240) * 1000,
  );

  it('leaves an audit trail that verifies, in the library and with `verify-audit`', async () => {
    const database = fromPool(appRolePool(postgres.url('cairn'), 2));
    try {
      const result = await verifyAuditChain(database.db);
      expect(result).toMatchObject({ ok: true });
      report(`crash: audit chain verifies (${result.checked} entries)`);
    } finally {
      await database.close();
    }
    await cairn.stop();
    const { stdout } = await execute(process.execPath, [mainScript, 'verify-audit'], {
      cwd: projectRoot,
      env: childEnv(cairnEnv()),
      timeout: 120_000,
    });
    expect(stdout).toMatch(/the audit trail verifies \(\d+ entries\)/);
  });
});
