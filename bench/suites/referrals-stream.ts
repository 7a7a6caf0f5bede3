import http from 'node:http';

/** One Server-Sent Event as the stream carried it. */
export interface SseEvent {
  id: string | null;
  event: string;
  data: string;
}

/**
 * Reads Server-Sent Events from chunks of text as they arrive (a frame may be split anywhere): fields `id`,
 * `event` and `data` (several `data` lines joined by a newline); comments (`: ping`) and `retry` are skipped.
 */
export class SseParser {
  private pending = '';

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: string): SseEvent[] {
    this.pending += chunk.replace(/\r\n?/g, '\n');
    const events: SseEvent[] = [];
    let end = this.pending.indexOf('\n\n');
    while (end !== -1) {
      const block = this.pending.slice(0, end);
      this.pending = this.pending.slice(end + 2);
      const event = parseBlock(block);
      if (event) events.push(event);
      end = this.pending.indexOf('\n\n');
    }
    return events;
  }
}

function parseBlock(block: string): SseEvent | null {
  let id: string | null = null;
  let event = 'message';
  const data: string[] = [];
  let any = false;
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else continue;
    any = any || field !== 'id';
  }
  return any ? { id, event, data: data.join('\n') } : null;
}

/** An open event stream: its events as they arrive (with the runner's clock), and a way to close it. */
export interface OpenStream {
  close(): void;
  /** True once the server said `ready`. */
  readonly ready: boolean;
  /** Set when the stream ended or failed before `close()`. */
  readonly ended: string | null;
}

/**
 * Opens `GET /api/threads/stream` as the owner of `cookie`, the way a browser's EventSource does
 * (`accept: text/event-stream`), on a connection of its own. Resolves once the stream said `ready`;
 * `onEvent` gets every later event with `performance.now()` at its arrival.
 */
export function openThreadStream(
  baseUrl: string,
  cookie: string,
  onEvent: (event: SseEvent, at: number) => void,
  options: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const parser = new SseParser();
    let ready = false;
    let ended: string | null = null;
    let closing = false;
    const agent = new http.Agent({ keepAlive: false, maxSockets: 1 });
    const request = http.get(
      `${baseUrl}/api/threads/stream`,
      { headers: { ...options.headers, accept: 'text/event-stream', cookie }, agent },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`the stream answered ${response.statusCode}`));
          return;
        }
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          const at = performance.now();
          for (const event of parser.push(chunk)) {
            if (event.event === 'ready' && !ready) {
              ready = true;
              clearTimeout(timer);
              resolve(stream);
              continue;
            }
            onEvent(event, at);
          }
        });
        response.on('end', () => {
          if (!closing) ended ??= 'the server ended the stream';
        });
        response.on('error', (error) => {
          if (!closing) ended ??= error.message;
        });
      },
    );
    const stream: OpenStream = {
      close() {
        closing = true;
        request.destroy();
        agent.destroy();
      },
      get ready() {
        return ready;
      },
      get ended() {
        return ended;
      },
    };
    const timer = setTimeout(() => {
      stream.close();
      reject(new Error('the stream did not say ready in time'));
    }, options.timeoutMs ?? 30_000);
    request.on('error', (error) => {
      clearTimeout(timer);
      if (!ready) reject(error);
      else if (!closing) ended ??= error.message;
    });
  });
}

/**
 * A client address of its own for the person numbered `n` (10.0.0.0/8), sent as X-Forwarded-For to a Cairn
 * that trusts its proxy: 200 people come from 200 places, and each route's per-address limit counts each of them.
 */
export function clientAddress(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 24) throw new Error(`no address for client ${n}`);
  return `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Who holds the streams and who writes: a thread, its author's cookie, and the other side's people. */
export interface StreamThread {
  referralId: string;
  authorCookie: string;
  /** The recipient organisation's people (cookies) who may read the thread. */
  readerCookies: string[];
}

/**
 * Spreads `total` streams over the readers of the threads, person by person in turn (a person holds several
 * tabs), never more than `perPerson` for one person. Returns, per stream, the thread index and the cookie.
 */
export function planStreams(
  threads: readonly StreamThread[],
  total: number,
  perPerson: number,
): { thread: number; cookie: string }[] {
  const people = threads.flatMap((t, thread) => t.readerCookies.map((cookie) => ({ thread, cookie })));
  const unique = new Map(people.map((p) => [p.cookie, p]));
  const list = [...unique.values()];
  if (list.length * perPerson < total)
    throw new Error(`${list.length} readers cannot hold ${total} streams at ${perPerson} each`);
  const plan: { thread: number; cookie: string }[] = [];
  for (let i = 0; plan.length < total; i++) plan.push(list[i % list.length]!);
  return plan;
}
