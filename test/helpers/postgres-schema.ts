import { randomBytes } from "node:crypto";
import pg from "pg";
import { postgresForTests } from "./postgres-server.ts";

export type PostgresSchemaForTests = {
  /** `postgres://…?schema=…` of a fresh schema. */
  url: string;
  schema: string;
  /** Drops the schema and its job queue's (`<schema>_boss`). */
  drop: () => Promise<void>;
};

/**
 * A fresh PostgreSQL schema for tests about PostgreSQL itself (roles, leases, the job queue), in the SQLite pass as
 * well: on the suite's server, or the one `postgresForTests` finds or starts. Named `t<pid>_…` like the suite's own,
 * so a run stopped by a signal has it dropped by the next run.
 */
export async function postgresSchemaForTests(label: string): Promise<PostgresSchemaForTests> {
  const server = await postgresForTests();
  const schema = `t${process.pid}_${label}_${randomBytes(4).toString("hex")}`;
  const url = new URL(server.url);
  url.searchParams.set("schema", schema);
  return {
    url: url.toString(),
    schema,
    drop: async () => {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`);
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
