import type { Logger } from 'pino';
import { onCommit } from '../db/transaction.js';
import type { Tx } from '../db/types.js';

/**
 * The events of Cairn, by name. Modules add theirs with declaration merging:
 * `declare module '../../kernel/bus/bus.js' { interface CairnEvents { 'cases.case_opened': { caseFileId: string } } }`.
 * Payloads carry ids, never survivor data: handlers load what they need and are authorised to see.
 */
export interface CairnEvents {
  'kernel.job_failed': { jobId: number; name: string; attempts: number };
}

export type EventName = keyof CairnEvents;
export type EventHandler<K extends EventName> = (payload: CairnEvents[K]) => void | Promise<void>;

/** A typed in-process event bus whose handlers run after the publishing transaction commits. */
export class EventBus {
  private readonly handlers = new Map<EventName, EventHandler<EventName>[]>();

  constructor(private readonly log: Logger) {}

  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends EventName>(name: K, handler: EventHandler<K>): () => void {
    const list = this.handlers.get(name) ?? [];
    list.push(handler as EventHandler<EventName>);
    this.handlers.set(name, list);
    return () => {
      const current = this.handlers.get(name) ?? [];
      this.handlers.set(
        name,
        current.filter((h) => h !== (handler as EventHandler<EventName>)),
      );
    };
  }

  /** Publishes inside a transaction: handlers see the event only if and after it commits. */
  publish<K extends EventName>(tx: Tx, name: K, payload: CairnEvents[K]): void {
    onCommit(tx, () => this.dispatch(name, payload));
  }

  /** Runs every handler of an event; one failing handler neither stops the others nor the caller. */
  async dispatch<K extends EventName>(name: K, payload: CairnEvents[K]): Promise<void> {
    for (const handler of this.handlers.get(name) ?? []) {
      try {
        await handler(payload);
      } catch (error) {
        this.log.error({ err: error, event: name }, 'event handler failed');
      }
    }
  }
}
