import { existsSync } from "node:fs";
import { syncActivity } from "../../search/activity.ts";
import { createEmbedderFromConfig } from "../../search/embedder.ts";
import { vectorModel } from "../../db/vectors.ts";
import { closeDatabase, openDatabase, openReadOnlyDatabase } from "../../db/open.ts";
import type { AssistantContext } from "../../assistant/context.ts";
import { loadConfig } from "../../app/config.ts";
import { ConfigError } from "../../core/errors.ts";
import { createLogger } from "../../core/logger.ts";
import { fail } from "./output.ts";

/**
 * Runs an assistant command from the database alone (no chain needed): opens
 * DATABASE_PATH, refreshes the activity rows, and uses the embedder only when
 * the database already holds vectors from it. Any error prints one line, exit 1.
 */
export async function withAssistant(run: (ctx: AssistantContext) => Promise<void>): Promise<void> {
  let ctx: AssistantContext;
  try {
    const config = loadConfig();
    if (!existsSync(config.DATABASE_PATH))
      throw new ConfigError(`No database at ${config.DATABASE_PATH}; run \`npm start\` or \`npm run seed\` first, or set DATABASE_PATH.`);
    // The search rows are brought up to date first (a write to the derived search tables only);
    // the assistant itself then reads through a connection that cannot write.
    const writer = openDatabase({ path: config.DATABASE_PATH });
    try {
      syncActivity(writer);
    } finally {
      closeDatabase(writer);
    }
    const db = openReadOnlyDatabase({ path: config.DATABASE_PATH });
    const embedder = createEmbedderFromConfig(config);
    const stored = vectorModel(db);
    const logger = createLogger(process.env.LOG_LEVEL ?? "warn", process.stderr as never);
    ctx = { db, config, logger, embedder: stored?.model === embedder.model ? embedder : undefined };
  } catch (error) {
    fail(error);
  }
  try {
    await run(ctx);
  } catch (error) {
    closeDatabase(ctx.db);
    fail(error);
  }
  closeDatabase(ctx.db);
}
