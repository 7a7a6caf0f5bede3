import { sql } from 'drizzle-orm';
import { AppError } from '../../kernel/http/errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Health } from './system.schemas.js';

/** Reports whether this instance can serve: the database must answer a trivial query. */
export async function checkHealth(kernel: Kernel): Promise<Health> {
  try {
    await kernel.database.db.execute(sql`select 1`);
  } catch (error) {
    throw new AppError('unavailable', { cause: error });
  }
  return { status: 'ok', database: kernel.database.kind, version: kernel.version };
}
