// One process opening a PostgreSQL connection, for the start-up race test (connection.test.ts):
// `node --import tsx test/db/postgres/connect-child.ts <database URL>`. Prints "connected" or the error's message.
import { PostgresConnection } from "../../../db/postgres/connection.ts";

try {
  new PostgresConnection({ url: process.argv[2]! }).close();
  console.log("connected");
} catch (error) {
  console.log((error as Error).message);
  process.exitCode = 1;
}
