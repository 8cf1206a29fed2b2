import pg from "pg";
import { postgresUrlVariable, runPrefix, runVariable, testEngine } from "./database.ts";
import { postgresForTests } from "./postgres-server.ts";

let stopServer: (() => Promise<void>) | undefined;

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Schemas of earlier runs whose process is gone (a run stopped by a signal cannot drop its own). */
async function dropAbandonedSchemas(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ name: string }>("SELECT nspname AS name FROM pg_namespace WHERE nspname ~ '^t[0-9]+_'");
  for (const { name } of rows) {
    const pid = Number(/^t(\d+)_/.exec(name)![1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
  }
}

/**
 * Mocha's global set-up (see .mocharc.json). With `TEST_DATABASE=postgres`,
 * finds a PostgreSQL server (or starts a private one) and says which, before
 * any test runs; afterwards drops this run's schemas. With SQLite, does nothing.
 */
export async function mochaGlobalSetup(): Promise<void> {
  if (testEngine !== "postgres") return;
  const server = await postgresForTests();
  stopServer = server.stop;
  process.env[postgresUrlVariable] = server.url;
  process.env[runVariable] = String(process.pid);
  await withClient(server.url, dropAbandonedSchemas);
}

export async function mochaGlobalTeardown(): Promise<void> {
  if (testEngine !== "postgres") return;
  const url = process.env[postgresUrlVariable];
  if (url)
    await withClient(url, async (client) => {
      // The run's prefix also covers each schema's job queue (`<schema>_boss`, db/job-queue.ts).
      const { rows } = await client.query<{ name: string }>("SELECT nspname AS name FROM pg_namespace WHERE starts_with(nspname, $1)", [runPrefix()]);
      for (const { name } of rows) await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    });
  await stopServer?.();
}
