// drizzle-kit reads the app DB schema only; the legacy DB is never migrated.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: './migrations/app',
});
