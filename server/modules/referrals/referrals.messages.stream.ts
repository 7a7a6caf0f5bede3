import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { checkRoutePolicy, type Actor } from '../../kernel/access/policy.js';
import { auditContextOf } from '../../kernel/audit/audit.js';
import type { Listener } from '../../kernel/db/client.js';
import { AppError } from '../../kernel/http/errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import { parseThreadEvent, threadEventChannel, type StreamEvent } from './referrals.messages.events.js';
import { mayFollowSubject, mayFollowThread, threadPolicy } from './referrals.messages.service.js';

/**
 * Live thread updates over Server-Sent Events: one stream per signed-in person (per tab, a few at most),
 * carrying, for every thread they may see, that a message arrived (thread and message ids) or that someone read
 * (the thread id), and, for every referral or transfer they may see, its new state. Never a text or a name: the client fetches what it may see through the normal routes.
 *
 * How an event travels: the use case NOTIFYs in its transaction (referrals.messages.events.ts); every process
 * LISTENs on the channel (PGlite's listen when Cairn runs embedded, a connection of its own, outside the pool, on PostgreSQL),
 * numbers what it hears, keeps the last ones for reconnects, and hands each to the streams of the thread's
 * organisations. SECURITY: before each delivery the person behind the stream is resolved again from their
 * session and the thread is reached through its subject's rules, exactly as the thread routes do: a person
 * removed from the organisation, a revoked session, a referral that closed — the next event is not delivered,
 * and a stream whose session no longer stands is ended.
 *
 * Reconnects: every event has an id `<epoch>-<n>`; a client reconnecting with `Last-Event-ID` gets the events it
 * missed from this process's buffer (each checked again), or `resync` when they are gone (another process, a
 * restart, too long away): it then refetches its unread counts and open thread.
 */

/** How often a comment keeps proxies and the client from timing the stream out. */
export const heartbeatMs = 20_000;
/** The reconnection delay suggested to clients (EventSource's `retry:`). */
export const retryMs = 3_000;
/** Streams one person may hold (tabs); a newer one ends the oldest, which is often a dead connection. */
export const maxStreamsPerPerson = 5;
/** Streams one process holds at most; more are told to come back later (503). */
export const maxStreams = 5_000;
/** Events kept for reconnects: the latest this many, and none older than ten minutes. */
const bufferSize = 2_000;
const bufferAgeMs = 10 * 60_000;
/** A client that falls this far behind (bytes not yet sent) is cut off; it reconnects and catches up. */
const maxBacklogBytes = 1024 * 1024;
/** Wait before listening again after the listening connection was lost. */
const relistenMs = 1_000;

interface Stream {
  personId: string;
  sessionId: string;
  organisationId: string;
  openedAt: number;
  request: FastifyRequest;
  res: ServerResponse;
  /** Deliveries to this stream, one after the other (events keep their order). */
  queue: Promise<void>;
  closed: boolean;
}

interface Buffered {
  seq: number;
  at: number;
  event: StreamEvent;
}

/** True when the request asks for an event stream (EventSource always does; a plain fetch or inject does not). */
export function acceptsEventStream(accept: string | undefined): boolean {
  return (accept ?? '')
    .split(',')
    .some((part) => part.split(';')[0]!.trim().toLowerCase() === 'text/event-stream');
}

const frame = (id: string, event: string, data: object) =>
  `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** The live streams of one app (one per process): see the file's comment. */
export class ThreadStreamHub {
  private epoch = randomBytes(6).toString('hex');
  private seq = 0;
  private buffer: Buffered[] = [];
  private readonly streams = new Set<Stream>();
  private listener: Listener | null = null;
  private listening: Promise<void> | null = null;
  private heartbeat: NodeJS.Timeout | undefined;
  private relisten: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(private readonly kernel: Kernel) {}

  /** Open streams in this process. */
  get size(): number {
    return this.streams.size;
  }

  /** Open streams of one person in this process. */
  streamsOf(personId: string): number {
    return [...this.streams].filter((stream) => stream.personId === personId).length;
  }

  private get currentId(): string {
    return `${this.epoch}-${this.seq}`;
  }

  /** Listens on the channel (once, shared by every stream of the process). */
  private async ensureListening(): Promise<void> {
    if (this.listener) return;
    this.listening ??= this.kernel.database
      .listen(
        threadEventChannel,
        (payload) => this.receive(payload),
        () => this.lost(),
      )
      .then((listener) => {
        this.listener = listener;
      })
      .finally(() => {
        this.listening = null;
      });
    await this.listening;
  }

  /**
   * The listening connection broke: events may have been missed. Numbering starts again under a new epoch (so
   * no reconnect is told it missed nothing), every stream is told to resync, and listening resumes.
   */
  private lost(): void {
    this.listener = null;
    this.epoch = randomBytes(6).toString('hex');
    this.seq = 0;
    this.buffer = [];
    this.kernel.log.warn('message streams lost their notifications; clients are told to resync');
    for (const stream of this.streams) this.write(stream, frame(this.currentId, 'resync', {}));
    this.scheduleRelisten();
  }

  private scheduleRelisten(): void {
    if (this.closing || this.relisten || this.streams.size === 0) return;
    this.relisten = setTimeout(() => {
      this.relisten = undefined;
      this.ensureListening().catch((error: unknown) => {
        this.kernel.log.warn({ err: error }, 'message streams could not listen again; retrying');
        this.scheduleRelisten();
      });
    }, relistenMs);
    this.relisten.unref();
  }

  private receive(payload: string): void {
    const event = parseThreadEvent(payload);
    if (!event) {
      this.kernel.log.warn('ignored a malformed thread event');
      return;
    }
    const buffered: Buffered = { seq: ++this.seq, at: Date.now(), event };
    this.buffer.push(buffered);
    const cutoff = Date.now() - bufferAgeMs;
    while (this.buffer.length > bufferSize || (this.buffer[0] && this.buffer[0].at < cutoff))
      this.buffer.shift();
    for (const stream of this.streams) if (this.isTarget(stream, event)) this.enqueue(stream, buffered);
  }

  /**
   * Streams an event may concern: people of the thread's organisations. A read receipt concerns the other
   * organisations (whose messages were read) and the reader's own other tabs.
   */
  private isTarget(stream: Stream, event: StreamEvent): boolean {
    if (!event.parties.includes(stream.organisationId)) return false;
    if (event.kind === 'read')
      return stream.organisationId !== event.organisationId || stream.personId === event.personId;
    return true;
  }

  private enqueue(stream: Stream, buffered: Buffered): void {
    stream.queue = stream.queue
      .then(() => this.deliver(stream, buffered))
      .catch((error: unknown) => {
        this.kernel.log.error({ err: error }, 'a thread event could not be delivered');
      });
  }

  /** The stream's session still stands, acts for the same organisation, and passes the threads' gate. */
  private stillEntitled(stream: Stream, actor: Actor): boolean {
    return (
      actor.kind === 'person' &&
      actor.sessionId === stream.sessionId &&
      actor.membership?.organisationId === stream.organisationId &&
      checkRoutePolicy(threadPolicy, actor).allowed
    );
  }

  private async deliver(stream: Stream, buffered: Buffered): Promise<void> {
    if (stream.closed) return;
    // SECURITY: rights as they are now, not as they were when the stream opened.
    const actor = await this.kernel.resolveActor(stream.request, { touch: false });
    if (!this.stillEntitled(stream, actor)) {
      this.end(stream);
      return;
    }
    const ctx = {
      kernel: this.kernel,
      actor,
      audit: auditContextOf({ actor, ip: stream.request.ip, id: stream.request.id }),
      language: stream.request.language,
      ip: stream.request.ip,
      userAgent: null,
    };
    const { event } = buffered;
    const id = `${this.epoch}-${buffered.seq}`;
    if (event.kind === 'state') {
      // A new state is seen by those the subject's own rules show it to now, as its routes decide.
      if (!(await mayFollowSubject(ctx, event.subjectKind, event.subjectId))) return;
      this.write(
        stream,
        frame(id, 'state', { kind: event.subjectKind, id: event.subjectId, state: event.state }),
      );
      return;
    }
    if (!(await mayFollowThread(ctx, event.threadId))) return;
    this.write(
      stream,
      event.kind === 'message'
        ? frame(id, 'message', { threadId: event.threadId, messageId: event.messageId })
        : frame(id, 'read', { threadId: event.threadId }),
    );
  }

  private write(stream: Stream, text: string): void {
    if (stream.closed) return;
    // A client that does not read (a dead connection the network has not reported yet) is cut off before
    // its backlog grows without bound; a live one reconnects and catches up from Last-Event-ID.
    if (stream.res.writableLength > maxBacklogBytes) {
      this.end(stream);
      return;
    }
    stream.res.write(text);
  }

  private end(stream: Stream): void {
    if (stream.closed) return;
    stream.closed = true;
    this.streams.delete(stream);
    if (!stream.res.writableEnded) stream.res.end();
    if (this.streams.size === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      for (const stream of this.streams) this.write(stream, ': ping\n\n');
    }, heartbeatMs);
    this.heartbeat.unref();
  }

  /**
   * Answers a stream request (after the route's gate): checks what the client accepts and the limits, then
   * takes over the connection. Until the first byte, refusals are ordinary problem+json answers.
   */
  async open(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const actor = request.actor;
    if (actor.kind !== 'person' || !actor.membership) throw new AppError('forbidden');
    if (!acceptsEventStream(request.headers.accept)) throw new AppError('not_acceptable');
    if (this.closing || this.streams.size >= maxStreams) throw new AppError('unavailable');
    try {
      await this.ensureListening();
    } catch (error) {
      throw new AppError('unavailable', { cause: error });
    }
    const mine = [...this.streams]
      .filter((stream) => stream.personId === actor.personId)
      .sort((a, b) => a.openedAt - b.openedAt);
    while (mine.length >= maxStreamsPerPerson) this.end(mine.shift()!);

    // From here on the connection is this stream's: Fastify's serialisation, compression and onSend hooks are
    // out of the way (a compressed stream would be held back in the compressor's buffer). Headers already set
    // for the reply (request id, language) and by helmet (on the raw response) are kept.
    void reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store, no-transform',
      // Proxies that buffer responses (nginx) pass this one through as it comes.
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    const stream: Stream = {
      personId: actor.personId,
      sessionId: actor.sessionId,
      organisationId: actor.membership.organisationId,
      openedAt: Date.now(),
      request,
      res,
      queue: Promise.resolve(),
      closed: false,
    };
    this.streams.add(stream);
    res.on('close', () => this.end(stream));
    // A write to a connection that just broke: the stream ends (its 'close' follows).
    res.on('error', () => this.end(stream));
    this.startHeartbeat();
    res.write(`retry: ${retryMs}\n\n`);
    this.resume(stream, request.headers['last-event-id']);
  }

  /**
   * Starts a stream where its client left off: the missed events from the buffer, or `resync` when they are
   * not all there; a first connection gets `ready` with the current id (its reconnects start from it).
   */
  private resume(stream: Stream, lastEventId: string | string[] | undefined): void {
    if (typeof lastEventId !== 'string' || lastEventId === '') {
      this.write(stream, frame(this.currentId, 'ready', {}));
      return;
    }
    const match = /^([0-9a-f]{12})-(\d{1,15})$/.exec(lastEventId);
    const last = match ? Number(match[2]) : NaN;
    const oldest = this.buffer[0]?.seq ?? this.seq + 1;
    const complete = match?.[1] === this.epoch && last <= this.seq && last >= oldest - 1;
    if (!complete) {
      this.write(stream, frame(this.currentId, 'resync', {}));
      return;
    }
    for (const buffered of this.buffer)
      if (buffered.seq > last && this.isTarget(stream, buffered.event)) this.enqueue(stream, buffered);
  }

  /** Ends every stream (the app is closing: the server would otherwise wait for them). */
  closeStreams(): void {
    this.closing = true;
    if (this.relisten) clearTimeout(this.relisten);
    this.relisten = undefined;
    for (const stream of [...this.streams]) this.end(stream);
  }

  /** Stops listening (before the database closes). */
  async stop(): Promise<void> {
    this.closeStreams();
    await this.listening?.catch(() => undefined);
    const listener = this.listener;
    this.listener = null;
    await listener?.unlisten();
  }
}

const hubs = new WeakMap<Kernel, ThreadStreamHub>();

/** The stream hub of an app's kernel (made on first use; it listens from its first stream on). */
export function streamHubOf(kernel: Kernel): ThreadStreamHub {
  let hub = hubs.get(kernel);
  if (!hub) {
    hub = new ThreadStreamHub(kernel);
    hubs.set(kernel, hub);
  }
  return hub;
}
