/**
 * Calls between the main thread and a worker thread (the directory's search thread, the journey map's
 * publication thread): each side calls the other's named handlers and gets a promise of the answer; a call may also report progress
 * (the rows of a load, a batch at a time), and either side may emit events that need no answer.
 */

interface Port {
  postMessage(value: unknown, transfer?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
}

type Message =
  | { kind: 'call'; id: number; method: string; arg: unknown }
  | { kind: 'progress'; id: number; value: unknown }
  | { kind: 'result'; id: number; value?: unknown; error?: string }
  | { kind: 'event'; name: string; value: unknown };

/** What a handler answers: a value, and the buffers to move to the other thread instead of copying them. */
export interface Answer {
  value: unknown;
  transfer?: ArrayBuffer[];
}

export type Handler = (
  arg: never,
  progress: (value: unknown) => void,
) => Promise<Answer | void> | Answer | void;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  progress?: (value: unknown) => void;
}

export class Channel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly port: Port,
    private readonly handlers: Record<string, Handler>,
    private readonly events: Record<string, (value: never) => void> = {},
  ) {
    port.on('message', (message) => this.receive(message as Message));
  }

  /** Calls a handler of the other thread. */
  call<T>(method: string, arg?: unknown, progress?: (value: never) => void): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject,
        progress: progress as ((value: unknown) => void) | undefined,
      });
      this.port.postMessage({ kind: 'call', id, method, arg } satisfies Message);
    });
  }

  /** Tells the other thread something that needs no answer. */
  emit(name: string, value?: unknown): void {
    this.port.postMessage({ kind: 'event', name, value } satisfies Message);
  }

  /** Rejects every call still waiting (the other thread has gone). */
  failAll(error: Error): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const call of waiting) call.reject(error);
  }

  private receive(message: Message): void {
    switch (message.kind) {
      case 'call':
        void this.answer(message.id, message.method, message.arg);
        return;
      case 'progress':
        this.pending.get(message.id)?.progress?.(message.value);
        return;
      case 'result': {
        const call = this.pending.get(message.id);
        if (!call) return;
        this.pending.delete(message.id);
        if (message.error === undefined) call.resolve(message.value);
        else call.reject(new Error(message.error));
        return;
      }
      case 'event':
        this.events[message.name]?.(message.value as never);
        return;
    }
  }

  private async answer(id: number, method: string, arg: unknown): Promise<void> {
    const progress = (value: unknown) =>
      this.port.postMessage({ kind: 'progress', id, value } satisfies Message);
    try {
      const handler = this.handlers[method];
      if (!handler) throw new Error(`no handler ${method}`);
      const answer = await handler(arg as never, progress);
      this.port.postMessage(
        { kind: 'result', id, value: answer?.value } satisfies Message,
        answer?.transfer ?? [],
      );
    } catch (error) {
      // Only the message crosses: an error's other properties (and its stack) stay in this thread's logs.
      this.port.postMessage({
        kind: 'result',
        id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies Message);
    }
  }
}
