import { defineConfig } from "drizzle-kit";

/** `npm run db:generate` writes reviewed SQL migrations into migrations/ for wrangler to apply. */
export default defineConfig({
  dialect: "sqlite",
  schema: "./worker/platform/schema.ts",
  out: "./migrations",
});
