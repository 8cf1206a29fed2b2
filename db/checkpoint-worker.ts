import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";

/**
 * The worker of db/wal-checkpoints.ts: a connection of its own to the
 * database file that runs a PASSIVE checkpoint every `everyMs` (it never
 * blocks the writer; what the writer adds meanwhile waits for the next one),
 * and one last on "stop".
 */
const { path, everyMs } = workerData as { path: string; everyMs: number };
const connection = new Database(path, { fileMustExist: true });
connection.pragma("busy_timeout = 1000");
connection.pragma("synchronous = NORMAL");
const checkpoint = () => {
  try {
    connection.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy or interrupted: the next one catches up.
  }
};
const timer = setInterval(checkpoint, everyMs);
parentPort?.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  checkpoint();
  connection.close();
  parentPort?.close();
});
