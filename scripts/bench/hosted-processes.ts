/**
 * The service processes of `npm run bench:hosted`, started as a deployment
 * starts them: `node dist/app/main.js --role <role>` with only the
 * environment given (no TypeScript loader in them). Each process's log goes
 * to a file; the bench waits for the line saying it serves and counts lines
 * it cares about (leases taken).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { node, projectRoot } from "../../test/helpers/processes.ts";

export type TreasuryProcess = {
  /** e.g. "web-a", "worker-b2". */
  name: string;
  role: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves once the process says it serves: with its URL for a web (or `all`) process. */
  started: Promise<string | undefined>;
  /** Lines of its log that matched `pattern` so far. */
  count: (pattern: RegExp) => number;
  exited: Promise<number | null>;
};

/** Starts one process of the deployment; its stdout and stderr go to `<logDir>/<name>.log`. */
export function startTreasuryProcess({ name, role, env, logDir }: { name: string; role: string; env: Record<string, string>; logDir: string }): TreasuryProcess {
  // BENCH_PROFILE_DIR=dir: each process writes a V8 CPU profile there (dir/<name>/) when it stops.
  const profile = process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}/${name}`] : [];
  // BENCH_NODE_FLAGS="--flag …": Node flags for every process of the deployment (to try runtime settings).
  const flags = (process.env.BENCH_NODE_FLAGS ?? "").split(/\s+/).filter(Boolean);
  const child = spawn(node, [...flags, ...profile, "dist/app/main.js", "--role", role], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logFile = join(logDir, `${name}.log`);
  const log = createWriteStream(logFile);
  const lines: string[] = [];
  const startedPattern = role === "all" ? /treasury service started/ : new RegExp(`treasury ${role} started`);
  let onStarted: (url: string | undefined) => void = () => undefined;
  let onFailed: (error: Error) => void = () => undefined;
  const started = new Promise<string | undefined>((done, fail) => {
    onStarted = done;
    onFailed = fail;
  });
  createInterface({ input: child.stdout! }).on("line", (line) => {
    log.write(`${line}\n`);
    if (/lease taken|treasury .* started|treasury service started/.test(line)) lines.push(line);
    if (startedPattern.test(line)) {
      let url: string | undefined;
      try {
        url = (JSON.parse(line) as { url?: string }).url;
      } catch {
        url = undefined;
      }
      onStarted(url);
    }
  });
  createInterface({ input: child.stderr! }).on("line", (line) => log.write(`stderr: ${line}\n`));
  const exited = new Promise<number | null>((done) =>
    child.once("exit", (code, signal) => {
      onFailed(new Error(`${name} (--role ${role}) exited (${signal ?? code}) before it served; see ${logFile}`));
      done(code);
    }),
  );
  return { name, role, child, logFile, started, count: (pattern) => lines.filter((line) => pattern.test(line)).length, exited };
}

/** SIGTERMs every process still running and waits for them all to end. */
export async function stopTreasuryProcesses(processes: TreasuryProcess[]): Promise<void> {
  for (const running of processes) if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill("SIGTERM");
  await Promise.all(processes.map((running) => running.exited));
}
