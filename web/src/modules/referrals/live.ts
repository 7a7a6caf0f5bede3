import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { api } from '../../api/client';
import { required } from '../identity/organisations/queries';
import { referralKeys, threadKeys, type Thread, type ThreadSummary } from './api';

type ThreadList = { items: ThreadSummary[] };

/** How the live connection stands: `reconnecting` is shown quietly, nothing is lost meanwhile. */
export type LiveStatus = 'off' | 'connecting' | 'open' | 'reconnecting';

/** The server's stream of thread events and referral/transfer state changes (Server-Sent Events). */
export const STREAM_URL = '/api/threads/stream';
/**
 * After the server refused the stream outright (signed out, 503 when it is full), EventSource gives up; we
 * try again after this long, doubling up to the maximum, so a crowd of clients does not hammer the server.
 */
const RETRY_BASE_MS = 15_000;
const RETRY_MAX_MS = 5 * 60_000;

interface EventData {
  threadId?: string;
}

/** Reads an event's JSON body; a malformed one is ignored (the next resync repairs anything missed). */
export function threadIdOf(data: unknown): string | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const parsed = JSON.parse(data) as EventData;
    return typeof parsed.threadId === 'string' ? parsed.threadId : undefined;
  } catch {
    return undefined;
  }
}

/** A referral or transfer that changed state, as a `state` event tells it (no content: what, which, where to). */
export interface StateEvent {
  kind: 'referral' | 'transfer';
  id: string;
  state: string;
}

/** Reads a `state` event's body; anything malformed is ignored (the next resync repairs what was missed). */
export function stateEventOf(data: unknown): StateEvent | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const parsed = JSON.parse(data) as Partial<StateEvent>;
    if (parsed.kind !== 'referral' && parsed.kind !== 'transfer') return undefined;
    if (typeof parsed.id !== 'string' || typeof parsed.state !== 'string') return undefined;
    return { kind: parsed.kind, id: parsed.id, state: parsed.state };
  } catch {
    return undefined;
  }
}

/**
 * A referral or transfer changed state on the other side (or in another tab): its page and the lists (the
 * case page's among them) are fetched again, and so is its thread (which may have closed to new messages).
 */
function applyStateEvent(queryClient: QueryClient, event: StateEvent): void {
  const lists = event.kind === 'referral' ? referralKeys.all : referralKeys.transfers;
  void queryClient.invalidateQueries({ queryKey: [...lists, 'list'] });
  void queryClient.invalidateQueries({
    queryKey: event.kind === 'referral' ? referralKeys.one(event.id) : referralKeys.transfer(event.id),
  });
  void queryClient.invalidateQueries({ queryKey: ['threads', 'subject', event.kind, event.id] });
  void queryClient.invalidateQueries({
    queryKey: ['threads', 'one'],
    predicate: (query) => (query.state.data as Thread | undefined)?.subjectId === event.id,
  });
}

/**
 * A new message in a thread on screen: only the messages after the last one shown are fetched and appended
 * (one small answer on a slow connection, not the whole page again). Anything unusual — no message shown yet,
 * more than a page missed, a failure — falls back to refetching the thread.
 */
export async function catchUp(
  queryClient: QueryClient,
  threadId: string,
  fetchAfter: (threadId: string, after: string) => Promise<Thread> = fetchThreadAfter,
): Promise<void> {
  const key = threadKeys.one(threadId);
  const current = queryClient.getQueryData<Thread>(key);
  const last = current?.messages.at(-1);
  const watched = (queryClient.getQueryCache().find({ queryKey: key })?.getObserversCount() ?? 0) > 0;
  if (!current || !last || !watched) {
    await queryClient.invalidateQueries({ queryKey: key });
    return;
  }
  try {
    const page = await fetchAfter(threadId, last.id);
    if (page.moreAfter) throw new Error('more than a page behind');
    const latest = queryClient.getQueryData<Thread>(key) ?? current;
    const known = new Set(latest.messages.map((message) => message.id));
    queryClient.setQueryData<Thread>(key, {
      ...page,
      messages: [...latest.messages, ...page.messages.filter((message) => !known.has(message.id))],
      olderCursor: latest.olderCursor,
      moreAfter: false,
    });
  } catch {
    await queryClient.invalidateQueries({ queryKey: key });
  }
}

function fetchThreadAfter(threadId: string, after: string): Promise<Thread> {
  return required(api.GET('/api/threads/{threadId}', { params: { path: { threadId }, query: { after } } }));
}

/**
 * What each event refreshes. Events carry ids only; the pages fetch what they may see. Only queries on screen
 * are refetched at once (TanStack Query's default), so one message costs a few small requests.
 */
export function applyEvent(queryClient: QueryClient, type: string, data: unknown): void {
  if (type === 'resync') {
    void queryClient.invalidateQueries({ queryKey: threadKeys.all });
    // State changes may have been missed too.
    void queryClient.invalidateQueries({ queryKey: referralKeys.all });
    void queryClient.invalidateQueries({ queryKey: referralKeys.transfers });
    return;
  }
  if (type === 'state') {
    const event = stateEventOf(data);
    if (event) applyStateEvent(queryClient, event);
    return;
  }
  const threadId = threadIdOf(data);
  if (type === 'message') {
    void queryClient.invalidateQueries({ queryKey: threadKeys.unread });
    // A page still waiting for its thread (the other side's first message opens it) looks again.
    void queryClient.invalidateQueries({
      queryKey: threadKeys.subjects,
      predicate: (query) => !(query.state.data as ThreadList | undefined)?.items.length,
    });
    if (threadId) void catchUp(queryClient, threadId);
  } else if (type === 'read' && threadId) {
    // Read receipts change earlier messages too: the thread is fetched again.
    void queryClient.invalidateQueries({ queryKey: threadKeys.one(threadId) });
  }
}

/**
 * One EventSource for the whole tab, shared by every component that wants live threads (the navigation's
 * unread count, an open thread). It closes when the last of them unmounts.
 */
class LiveConnection {
  private source: EventSource | null = null;
  private users = 0;
  private status: LiveStatus = 'off';
  private listeners = new Set<() => void>();
  private retryTimer: number | undefined;
  private retryDelay = RETRY_BASE_MS;
  private queryClient: QueryClient | null = null;
  private everOpened = false;

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getStatus = () => this.status;

  private setStatus(status: LiveStatus) {
    if (this.status === status) return;
    this.status = status;
    for (const listener of this.listeners) listener();
  }

  acquire(queryClient: QueryClient) {
    this.queryClient = queryClient;
    this.users += 1;
    if (this.users !== 1) return;
    window.addEventListener('offline', this.wentOffline);
    window.addEventListener('online', this.cameOnline);
    this.connect();
  }

  release() {
    this.users -= 1;
    if (this.users > 0) return;
    window.removeEventListener('offline', this.wentOffline);
    window.removeEventListener('online', this.cameOnline);
    window.clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = null;
    this.everOpened = false;
    this.setStatus('off');
  }

  /**
   * The device lost its network: an open stream may stay silently dead for a long time (nothing tells the
   * browser), so it is closed now and the page says it is reconnecting.
   */
  private wentOffline = () => {
    window.clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = null;
    this.setStatus('reconnecting');
  };

  /** Back online: listen again at once, and catch up on what may have been missed meanwhile. */
  private cameOnline = () => {
    if (this.users === 0 || this.source) return;
    window.clearTimeout(this.retryTimer);
    this.retryDelay = RETRY_BASE_MS;
    if (this.queryClient) applyEvent(this.queryClient, 'resync', null);
    this.connect();
  };

  private connect() {
    if (typeof EventSource === 'undefined') return;
    this.setStatus(this.everOpened ? 'reconnecting' : 'connecting');
    const source = new EventSource(STREAM_URL, { withCredentials: true });
    this.source = source;
    source.onopen = () => {
      // Back after a drop: the browser sent Last-Event-ID, and the server replays or says `resync`.
      this.everOpened = true;
      this.retryDelay = RETRY_BASE_MS;
      this.setStatus('open');
    };
    source.onerror = () => {
      if (source.readyState === EventSource.CONNECTING) {
        // The browser reconnects by itself (after the server's `retry:`), sending Last-Event-ID.
        this.setStatus('reconnecting');
        return;
      }
      // Closed for good (an HTTP error): come back later, more slowly each time.
      source.close();
      if (this.source !== source) return;
      this.source = null;
      this.setStatus('reconnecting');
      window.clearTimeout(this.retryTimer);
      this.retryTimer = window.setTimeout(() => {
        if (this.users > 0) {
          // Events may have been missed while away: catch up once, then listen again.
          if (this.queryClient) applyEvent(this.queryClient, 'resync', null);
          this.connect();
        }
      }, this.retryDelay);
      this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
    };
    for (const type of ['message', 'read', 'state', 'resync']) {
      source.addEventListener(type, (event) => {
        if (this.queryClient) applyEvent(this.queryClient, type, event.data);
      });
    }
  }
}

const connection = new LiveConnection();

/** Keeps the tab's live thread connection open while the calling component is mounted (when `enabled`). */
export function useLiveThreads(enabled: boolean): LiveStatus {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    connection.acquire(queryClient);
    return () => connection.release();
  }, [enabled, queryClient]);
  return useSyncExternalStore(connection.subscribe, connection.getStatus, () => 'off');
}
