import { rm } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { dropDatabase, makeTemplate, type ServerTemplate } from './server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    e2eTemplate: ServerTemplate;
  }
}

/**
 * Starts one server before the browser tests, once, so each test file's server starts from a copy of its
 * migrated, demo-loaded data instead of loading it again (e2e/server.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const template = await makeTemplate();
  project.provide('e2eTemplate', template);
  return async () => {
    await rm(template.dataDir, { recursive: true, force: true });
    const serverUrl = process.env.E2E_POSTGRES_URL;
    if (serverUrl && template.database) await dropDatabase(serverUrl, template.database);
  };
}
