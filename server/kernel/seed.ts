import { eq } from 'drizzle-orm';
import { kernelMeta } from './db/kernel.tables.js';
import type { CairnModule, DemoAccount, Kernel } from './kernel.js';

const DEMO_KEY = 'demo_data';

interface DemoRecord {
  loadedAt: string;
  accounts: DemoAccount[];
}

/**
 * Loads every module's demo data once, on an empty installation. Returns the demo accounts (freshly made,
 * or remembered from the first start) so the terminal can list them every time.
 */
export async function ensureDemoData(
  kernel: Kernel,
  modules: CairnModule[],
): Promise<{ accounts: DemoAccount[]; created: boolean }> {
  const { db } = kernel.database;
  const existing = await db.select().from(kernelMeta).where(eq(kernelMeta.key, DEMO_KEY));
  if (existing[0]) return { accounts: (existing[0].value as DemoRecord).accounts, created: false };
  const accounts: DemoAccount[] = [];
  for (const module of modules) {
    if (module.seed) accounts.push(...(await module.seed(kernel)));
  }
  // Demo secrets are printed to the terminal; they are for trying Cairn, never for production.
  const record: DemoRecord = { loadedAt: new Date().toISOString(), accounts };
  await db.insert(kernelMeta).values({ key: DEMO_KEY, value: record }).onConflictDoNothing();
  return { accounts, created: true };
}
