import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { TreasuryError } from "../../core/errors.ts";
import {
  embeddedBinaries,
  reasonOf,
  runAsForPrivateServer,
  systemBinaries,
  type PostgresBinaries,
  type PostgresSource,
  type RunAs,
} from "./postgres-server-binaries.ts";
import { freePort } from "./processes.ts";

const run = promisify(execFile);

/** Temporary folders of private servers are named `<prefix><owner pid>-<random>`. */
const folderPrefix = "treasury-test-pg-";

/** A PostgreSQL server this process started, in a temporary folder, on a free port of 127.0.0.1, with trust auth. */
export type PrivatePostgres = {
  /** `postgres://postgres@127.0.0.1:<port>/test`: the database `test` exists and is empty. */
  url: string;
  source: PostgresSource;
  /** What `postgres --version` printed. */
  version: string;
  port: number;
  /** How long finding the programs, `initdb` and the start took. */
  startMs: number;
  /** Returns once the server has exited and its folder is gone. Calling it again does nothing. */
  stop(): Promise<void>;
};

/** No source could start a server; the message lists each source tried and why it failed. */
export class NoPrivatePostgresError extends TreasuryError {
  override name = "NoPrivatePostgresError";
}

/**
 * Starts a private PostgreSQL server from the first source that works, in the order given.
 * Guarantees: the server runs as a non-root user (PostgreSQL requires it), listens only on 127.0.0.1,
 * and does not outlive this process: `stop()`, an exit hook, and (on Linux, through `setpriv`) a
 * parent-death signal stop it; folders left by killed runs are removed at the next start.
 * Durability is off (fsync, synchronous commit): it is a server for tests.
 */
export async function startPrivatePostgres(sources: PostgresSource[] = ["embedded", "initdb"]): Promise<PrivatePostgres> {
  const started = performance.now();
  removeAbandonedFolders();
  const runAs = runAsForPrivateServer();
  const failures: string[] = [];
  for (const source of sources) {
    let binaries: PostgresBinaries;
    try {
      binaries = source === "embedded" ? await embeddedBinaries(runAs) : await systemBinaries(runAs);
    } catch (error) {
      failures.push(`${source}: ${reasonOf(error)}`);
      continue;
    }
    try {
      const server = await startCluster(binaries, runAs);
      return { ...server, source, version: binaries.version, startMs: Math.round(performance.now() - started) };
    } catch (error) {
      failures.push(`${source} (${binaries.postgres}): ${reasonOf(error)}`);
    }
  }
  throw new NoPrivatePostgresError("could not start a private PostgreSQL server", { details: failures.join("; ") });
}

async function startCluster(binaries: PostgresBinaries, runAs: RunAs | undefined) {
  const folder = mkdtempSync(join(tmpdir(), `${folderPrefix}${process.pid}-`));
  if (runAs) chownSync(folder, runAs.uid, runAs.gid);
  const dataDir = join(folder, "data");
  const removeFolder = () => rmSync(folder, { recursive: true, force: true });
  try {
    await run(binaries.initdb, ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", `--locale=${clusterLocale()}`, "--no-sync"], {
      cwd: folder,
      uid: runAs?.uid,
      gid: runAs?.gid,
      env: { ...process.env, LC_ALL: "C", LC_MESSAGES: "C" },
      timeout: 60_000,
    });
  } catch (error) {
    removeFolder();
    throw new TreasuryError(`initdb failed: ${reasonOf(error)}`, { cause: error });
  }
  // A port found free may be taken before the server binds it: then try another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server = spawnServer(binaries.postgres, dataDir, port, folder, runAs);
    try {
      await waitUntilAnswering(server, port);
      await createTestDatabase(port);
    } catch (error) {
      await stopServer(server.child);
      if (attempt < 3 && /already in use|could not create any TCP\/IP sockets/.test(server.log())) continue;
      removeFolder();
      throw error;
    }
    const onExit = () => {
      server.child.kill("SIGQUIT");
      removeFolder();
    };
    process.once("exit", onExit);
    let stopped: Promise<void> | undefined;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/test`,
      port,
      stop: () =>
        (stopped ??= (async () => {
          process.removeListener("exit", onExit);
          await stopServer(server.child);
          removeFolder();
        })()),
    };
  }
}

type RunningServer = { child: ChildProcess; exited: Promise<void>; log: () => string };

function spawnServer(postgres: string, dataDir: string, port: number, folder: string, runAs: RunAs | undefined): RunningServer {
  const args = [
    "-D", dataDir,
    "-p", String(port),
    "-c", "listen_addresses=127.0.0.1",
    "-c", "unix_socket_directories=",
    "-c", "fsync=off",
    "-c", "synchronous_commit=off",
    "-c", "full_page_writes=off",
    "-c", "lc_messages=C",
  ];
  const env = { ...process.env, LC_ALL: "C", LC_MESSAGES: "C" };
  const options = { cwd: folder, env, stdio: ["ignore", "ignore", "pipe"] as ("ignore" | "pipe")[] };
  // setpriv (util-linux) sets the parent-death signal, so the server stops even if this process is SIGKILLed.
  const child = hasSetpriv()
    ? spawn("setpriv", [...(runAs ? ["--reuid", String(runAs.uid), "--regid", String(runAs.gid), "--clear-groups"] : []), "--pdeathsig", "SIGINT", "--", postgres, ...args], options)
    : spawn(postgres, args, { ...options, uid: runAs?.uid, gid: runAs?.gid });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString("utf8")).slice(-8_000);
  });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  // The server must not keep this process alive: the exit hook stops it when the process ends.
  child.unref();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  return { child, exited, log: () => log };
}

async function waitUntilAnswering(server: RunningServer, port: number): Promise<void> {
  let hasExited = false;
  void server.exited.then(() => (hasExited = true));
  const deadline = performance.now() + 60_000;
  for (;;) {
    if (hasExited) throw new TreasuryError(`postgres exited at start: ${lastLines(server.log())}`);
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return;
    } catch (error) {
      if (performance.now() > deadline) throw new TreasuryError(`postgres did not answer within 60 s: ${reasonOf(error)}; ${lastLines(server.log())}`);
      await new Promise((done) => setTimeout(done, 50));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

async function createTestDatabase(port: number): Promise<void> {
  const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await client.connect();
  try {
    await client.query("CREATE DATABASE test");
  } finally {
    await client.end();
  }
}

/** Fast shutdown (SIGINT); immediate shutdown (SIGQUIT) if that takes over 10 s. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGQUIT"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** The project's servers use C.UTF-8 (code-point order, Unicode case mapping); plain C where that locale is missing. */
function clusterLocale(): string {
  try {
    const locales = execFileSync("locale", ["-a"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).split("\n");
    if (locales.some((name) => /^C\.utf-?8$/i.test(name.trim()))) return "C.UTF-8";
  } catch {
    // no `locale` program: plain C
  }
  return "C";
}

let setprivFound: boolean | undefined;
function hasSetpriv(): boolean {
  if (setprivFound === undefined) {
    try {
      execFileSync("setpriv", ["--version"], { stdio: "ignore" });
      setprivFound = true;
    } catch {
      setprivFound = false;
    }
  }
  return setprivFound;
}

/** Removes folders of private servers whose owning process is gone and whose server no longer runs. */
export function removeAbandonedFolders(): void {
  for (const name of readdirSync(tmpdir())) {
    const owner = Number(/^treasury-test-pg-(\d+)-/.exec(name)?.[1]);
    if (!owner || owner === process.pid || isAlive(owner)) continue;
    const pidFile = join(tmpdir(), name, "data", "postmaster.pid");
    const postmaster = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").split("\n")[0]) : 0;
    if (postmaster && isAlive(postmaster)) continue;
    try {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    } catch {
      // another user's folder: theirs to remove
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function lastLines(log: string): string {
  return log.trim().split("\n").slice(-3).join(" | ") || "(no output)";
}
