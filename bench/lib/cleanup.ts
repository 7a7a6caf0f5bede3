/**
 * Undo actions for everything a run creates (child processes, the database), run newest first so a server
 * stops before its database is dropped. Running them twice is harmless, because a signal can arrive while
 * the normal `finally` is already cleaning up.
 */
export class Cleanup {
  private readonly tasks: { label: string; run: () => Promise<void> }[] = [];
  private running: Promise<void> | undefined;

  /** Registers an undo action; the returned function unregisters it (after it was done by hand). */
  add(label: string, run: () => Promise<void>): () => void {
    const task = { label, run };
    this.tasks.push(task);
    return () => {
      const index = this.tasks.indexOf(task);
      if (index >= 0) this.tasks.splice(index, 1);
    };
  }

  /** Runs every registered action once, newest first; a failing action is reported and the rest still run. */
  runAll(): Promise<void> {
    // A second caller (a signal during the normal finally) waits for the same pass instead of racing it.
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    for (let task = this.tasks.pop(); task; task = this.tasks.pop()) {
      try {
        await task.run();
      } catch (error) {
        console.error(`cleanup "${task.label}" failed:`, error);
      }
    }
  }
}
