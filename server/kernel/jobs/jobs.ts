import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { EventBus } from '../bus/bus.js';
import { kernelJobs } from '../db/kernel.tables.js';
import { inTransaction, onCommit } from '../db/transaction.js';
import { queryRows, type Db, type Tx } from '../db/types.js';
import type { MailMessage } from '../mail/mail.js';

/**
 * The background jobs of Cairn, by name, with their payloads. Modules add theirs by declaration merging,
 * like CairnEvents. Payloads are stored in PostgreSQL in plain JSON: ids only, never survivor data.
 */
export interface CairnJobs {
  'kernel.send_mail': MailMessage;
}

export type JobName = keyof CairnJobs;

/** What a handler knows about the run it is in. */
export interface JobRun {
  jobId: number;
  attempt: number;
  maxAttempts: number;
  log: Logger;
}

export type JobHandler<K extends JobName> = (payload: CairnJobs[K], run: JobRun) => Promise<void>;

/** The jobs that take no payload: the ones that can recur on a schedule. */
export type RecurringJobName = {
  [K in JobName]: CairnJobs[K] extends Record<string, never> ? K : never;
}[JobName];

export interface EnqueueOptions {
  /** Run no earlier than this. */
  runAt?: Date;
  /** At most one pending or running job per key; a second enqueue with the same key is a no-op. */
  dedupeKey?: string;
  maxAttempts?: number;
}

/** How many jobs one process runs side by side unless told otherwise (the benchmarks use it too). */
export const defaultJobConcurrency = 4;

export interface JobQueueOptions {
  pollIntervalMs?: number;
  concurrency?: number;
  /**
   * How long a claimed job stays locked before another worker may take it over (crash recovery). The worker
   * running it renews the lock every third of this, so only a job whose worker died or stalled is taken over.
   */
  lockSeconds?: number;
  /** Base of the exponential back-off between attempts. */
  retryBaseMs?: number;
}

interface ClaimedJob {
  id: number;
  name: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
}

/** Back-off before the next attempt: exponential, capped at an hour, with jitter so retries spread out. */
export function retryDelayMs(attempt: number, baseMs: number): number {
  const exp = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 3_600_000);
  return Math.round(exp * (0.75 + Math.random() * 0.5));
}

/**
 * A durable job queue in PostgreSQL (works on PGlite too): jobs are rows written in the caller's
 * transaction (an outbox), claimed with FOR UPDATE SKIP LOCKED, retried with back-off, and recovered
 * when a worker dies holding them. See docs/decisions/0003-jobs-outbox.md for why not a library.
 */
export class JobQueue {
  private readonly handlers = new Map<string, JobHandler<JobName>>();
  private readonly workerId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private polling: Promise<void> | undefined;
  private pollAgain = false;
  private lastPurge = 0;
  private lastRecovery = 0;
  /** The last claim filled every free slot, so more jobs may be due: a finishing job polls again at once. */
  private backlog = false;
  private readonly pollIntervalMs: number;
  private readonly concurrency: number;
  private readonly lockSeconds: number;
  private readonly retryBaseMs: number;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly bus: EventBus,
    options: JobQueueOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.concurrency = options.concurrency ?? defaultJobConcurrency;
    this.lockSeconds = options.lockSeconds ?? 300;
    this.retryBaseMs = options.retryBaseMs ?? 5000;
  }

  /** Registers the one handler for a job name. */
  register<K extends JobName>(name: K, handler: JobHandler<K>): void {
    if (this.handlers.has(name)) throw new Error(`job handler already registered: ${name}`);
    this.handlers.set(name, handler as JobHandler<JobName>);
  }

  /**
   * Registers a job that runs every `intervalMs` (a sweep): each run first queues the next, in the slot the
   * interval divides time into (deduplicated, so several processes queue it once), then does its work; the first
   * run is queued now, once the queue's table exists (an unmigrated database — `main.ts openapi` builds the app
   * over an empty one — has none).
   */
  recurring<K extends RecurringJobName>(
    name: K,
    intervalMs: number,
    work: (run: JobRun) => Promise<void>,
  ): void {
    const slotKey = (at: Date) =>
      `${name}:${new Date(Math.floor(at.getTime() / intervalMs) * intervalMs).toISOString()}`;
    const queue = (tx: Tx, at: Date) => this.enqueue(tx, name, {}, { runAt: at, dedupeKey: slotKey(at) });
    this.register(name, async (_payload, run) => {
      const next = new Date(Date.now() + intervalMs);
      await inTransaction(this.db, (tx) => queue(tx, next));
      await work(run);
    });
    inTransaction(this.db, async (tx) => {
      const [table] = await queryRows<{ ready: boolean }>(
        tx,
        sql`select to_regclass('kernel_jobs') is not null as ready`,
      );
      if (table?.ready) await queue(tx, new Date());
    }).catch((error: unknown) => {
      this.log.warn({ err: error, job: name }, 'could not queue a recurring job');
    });
  }

  /** Adds a job inside the caller's transaction; it becomes visible to workers only if that commits. */
  async enqueue<K extends JobName>(
    tx: Tx,
    name: K,
    payload: CairnJobs[K],
    options: EnqueueOptions = {},
  ): Promise<number | undefined> {
    const rows = await tx
      .insert(kernelJobs)
      .values({
        name,
        payload,
        runAt: options.runAt ?? new Date(),
        maxAttempts: options.maxAttempts ?? 8,
        dedupeKey: options.dedupeKey ?? null,
      })
      .onConflictDoNothing()
      .returning({ id: kernelJobs.id });
    // Wake this process's runner after commit instead of waiting for the next poll.
    if (this.started) onCommit(tx, () => this.nudge());
    return rows[0]?.id;
  }

  /** Starts polling in this process (web process or `main.ts worker`). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  /** Stops claiming new jobs and waits for the running ones to finish. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
    await Promise.allSettled([...this.running]);
  }

  /** Claims and runs every due job once, waiting for them; returns how many ran. For workers and tests. */
  async runDue(limit = 100): Promise<number> {
    await this.recoverExpired();
    const jobs = await this.claim(limit);
    await Promise.all(jobs.map((job) => this.execute(job)));
    return jobs.length;
  }

  private nudge(): void {
    if (this.started) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A nudge during a poll must not be lost: remember it and poll again straight after.
      if (this.polling) {
        this.pollAgain = true;
        return;
      }
      this.polling = this.poll().finally(() => {
        this.polling = undefined;
        const again = this.pollAgain;
        this.pollAgain = false;
        if (this.started && !this.timer) this.schedule(again ? 0 : this.pollIntervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    try {
      // Locks last lockSeconds, so looking for expired ones a few times per lock is enough (not every poll).
      if (Date.now() - this.lastRecovery >= Math.min(30_000, this.lockSeconds * 100)) {
        this.lastRecovery = Date.now();
        await this.recoverExpired();
      }
      await this.purgeFinished();
      const free = this.concurrency - this.running.size;
      if (free <= 0) {
        this.backlog = true;
        return;
      }
      const jobs = await this.claim(free);
      this.backlog = jobs.length === free;
      for (const job of jobs) {
        const run = this.execute(job).finally(() => {
          this.running.delete(run);
          if (this.backlog) this.nudge();
        });
        this.running.add(run);
      }
    } catch (error) {
      this.log.error({ err: error }, 'job polling failed');
    }
  }

  private async recoverExpired(): Promise<void> {
    await this.db.execute(
      sql`update kernel_jobs set status = 'pending', locked_until = null, locked_by = null
          where status = 'running' and locked_until < now()`,
    );
  }

  /** Finished jobs are kept a week for diagnosis, then deleted (at most hourly, by any process). */
  private async purgeFinished(): Promise<void> {
    if (Date.now() - this.lastPurge < 3_600_000) return;
    this.lastPurge = Date.now();
    await this.db.execute(
      sql`delete from kernel_jobs where status in ('done', 'failed') and finished_at < now() - interval '7 days'`,
    );
  }

  private async claim(limit: number): Promise<ClaimedJob[]> {
    const rows = await queryRows<ClaimedJob>(
      this.db,
      sql`update kernel_jobs
          set status = 'running', attempts = attempts + 1, locked_by = ${this.workerId},
              locked_until = now() + make_interval(secs => ${this.lockSeconds})
          where id in (
            select id from kernel_jobs
            where status = 'pending' and run_at <= now()
            order by run_at, id
            limit ${limit}
            for update skip locked)
          returning id, name, payload, attempts, max_attempts`,
    );
    // bigserial ids arrive as strings from node-postgres.
    return rows.map((row) => ({ ...row, id: Number(row.id) }));
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const log = this.log.child({ jobId: job.id, job: job.name, attempt: job.attempts });
    const handler = this.handlers.get(job.name);
    // A job that runs longer than its lock keeps it: without renewal, another worker would take a long job over
    // (recoverExpired) and run it a second time beside the first.
    const heartbeat = setInterval(
      () => {
        this.renewLock(job.id).then(
          (held) => {
            if (!held) log.warn('job lock lost while running');
          },
          (error: unknown) => log.warn({ err: error }, 'could not renew a job lock'),
        );
      },
      (this.lockSeconds * 1000) / 3,
    );
    heartbeat.unref();
    try {
      if (!handler) throw new Error(`no handler registered for job ${job.name}`);
      await handler(job.payload as CairnJobs[JobName], {
        jobId: job.id,
        attempt: job.attempts,
        maxAttempts: job.max_attempts,
        log,
      });
      await this.db.execute(
        // The payload is dropped once done: a mail job holds a live reset or invitation link, and nothing
        // needs it after delivery.
        sql`update kernel_jobs set status = 'done', finished_at = now(), locked_until = null, last_error = null,
            payload = '{}'::jsonb where id = ${job.id} and locked_by = ${this.workerId}`,
      );
    } catch (error) {
      // Only the error's class and message are kept: handlers must not put survivor data in messages.
      const message =
        error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 1000) : 'unknown error';
      const final = job.attempts >= job.max_attempts;
      log.warn({ err: error, final }, 'job failed');
      // Recording the failure can fail too (the database restarting): execute() must never reject, or the
      // unheard rejection kills the process. The job stays claimed and is taken up again once its lock
      // expires (recoverExpired). Found by server/security/crash.security.ts.
      await inTransaction(this.db, async (tx) => {
        if (final) {
          await tx.execute(
            sql`update kernel_jobs set status = 'failed', finished_at = now(), locked_until = null,
                last_error = ${message} where id = ${job.id} and locked_by = ${this.workerId}`,
          );
          this.bus.publish(tx, 'kernel.job_failed', {
            jobId: job.id,
            name: job.name,
            attempts: job.attempts,
          });
        } else {
          const delay = retryDelayMs(job.attempts, this.retryBaseMs);
          await tx.execute(
            sql`update kernel_jobs set status = 'pending', locked_until = null, locked_by = null,
                last_error = ${message}, run_at = now() + make_interval(secs => ${delay / 1000})
                where id = ${job.id} and locked_by = ${this.workerId}`,
          );
        }
      }).catch((bookkeeping: unknown) => log.error({ err: bookkeeping }, 'could not record the job failure'));
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Extends a running job's lock by lockSeconds from now; false if this worker no longer holds it. */
  private async renewLock(id: number): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      sql`update kernel_jobs set locked_until = now() + make_interval(secs => ${this.lockSeconds})
          where id = ${id} and status = 'running' and locked_by = ${this.workerId}
          returning id`,
    );
    return rows.length > 0;
  }
}
