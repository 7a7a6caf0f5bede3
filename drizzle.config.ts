import { defineConfig } from 'drizzle-kit';

// drizzle-kit only generates migrations; Cairn applies them itself at start (server/kernel/db/migrate.ts).
export default defineConfig({
  dialect: 'postgresql',
  schema: './server/schema.ts',
  out: './server/kernel/db/migrations',
});
