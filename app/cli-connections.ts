import { existsSync } from "node:fs";
import type { CliConnections } from "../adapters/cli/connections.ts";

/** The configuration in the environment, and a logger that writes warnings to stderr (loaded when a command needs them). */
async function cliSetup() {
  const [{ loadConfig }, { createLogger }, { ConfigError }, { databaseLabel, databaseLocation }] = await Promise.all([
    import("./config.ts"),
    import("../core/logger.ts"),
    import("../core/errors.ts"),
    import("../core/config.ts"),
  ]);
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? "warn", process.stderr as never);
  /** Throws, with what to do, when the database the configuration names does not exist yet. */
  const requireDatabase = (advice: string) => {
    // A PostgreSQL database is checked when it is opened.
    if (!config.DATABASE_URL && !existsSync(config.DATABASE_PATH)) throw new ConfigError(`No database at ${config.DATABASE_PATH} yet: ${advice}, or set DATABASE_PATH.`);
  };
  return { config, logger, requireDatabase, database: databaseLocation(config), databaseName: databaseLabel(config) };
}

/** The Safe a database's command acts on; throws when the database has none registered yet. */
function requireSafe<T>(safe: T | undefined, path: string): T {
  if (!safe) throw new Error(`The database at ${path} holds no Safe yet: run \`treasury index\` (or \`npm start\`) first.`);
  return safe;
}

/**
 * The command line's connections, from the configuration in the environment.
 * Each loads what it needs only when a command asks for it (the configuration,
 * the chain client, SQLite, the embeddings model), so `treasury --help` loads none of it.
 */
export const cliConnections: CliConnections = {
  async openTreasury(selection = {}) {
    const [{ config, logger }, { openTreasury }] = await Promise.all([cliSetup(), import("./open-treasury.ts")]);
    return openTreasury({ config, logger, safe: selection.safe });
  },

  async openAssistant(selection = {}) {
    const { config, logger, requireDatabase, database, databaseName } = await cliSetup();
    requireDatabase("run `npm start` or `npm run seed` first");
    const [{ closeDatabase, openDatabase, openReadOnlyDatabase }, { syncActivity }, { createEmbedderFromConfig }, { vectorModel }, { forSafe }, { chooseSafe }] = await Promise.all([
      import("../db/open.ts"),
      import("../search/activity.ts"),
      import("../search/embedder.ts"),
      import("../db/vectors.ts"),
      import("../db/safes.ts"),
      import("../core/safes/choose.ts"),
    ]);
    // The search rows are brought up to date first (a write to the derived search tables only);
    // the assistant itself then reads through a connection that cannot write.
    const writer = openDatabase({ path: database });
    let safe;
    try {
      safe = requireSafe(chooseSafe(writer, selection.safe), databaseName);
      syncActivity(forSafe(writer, safe.id));
    } finally {
      closeDatabase(writer);
    }
    const db = forSafe(openReadOnlyDatabase({ path: database }), safe.id);
    const embedder = createEmbedderFromConfig(config);
    const embedded = vectorModel(db)?.model === embedder.model;
    return { ctx: { db, config, logger, embedder: embedded ? embedder : undefined }, close: () => closeDatabase(db) };
  },

  async openRegistry() {
    const [{ config, database }, { openDatabase, closeDatabase }, { readDeployment }] = await Promise.all([cliSetup(), import("../db/open.ts"), import("../core/deployment.ts")]);
    const db = openDatabase({ path: database });
    const defaultRpcUrl = config.RPC_URL ?? (readDeployment(config.DEPLOYMENT_FILE) ? `http://127.0.0.1:${config.LOCAL_CHAIN_PORT}` : undefined);
    return { db, defaultRpcUrl, close: () => closeDatabase(db) };
  },

  async openDatabaseForReading(selection = {}) {
    const { requireDatabase, database, databaseName } = await cliSetup();
    requireDatabase("run `treasury index` (or `npm start`) first");
    const [{ openReadOnlyDatabase, closeDatabase }, { forSafe }, { chooseSafe }] = await Promise.all([import("../db/open.ts"), import("../db/safes.ts"), import("../core/safes/choose.ts")]);
    const db = openReadOnlyDatabase({ path: database });
    try {
      return forSafe(db, requireSafe(chooseSafe(db, selection.safe), databaseName).id);
    } catch (error) {
      closeDatabase(db);
      throw error;
    }
  },
};
