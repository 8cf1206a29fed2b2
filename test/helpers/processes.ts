import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
// Node 22 from the `node` devDependency, with tsx as a loader in the same process (no wrapper
// process in between that could relay signals late or SIGKILL a busy child).
const node = resolve(projectRoot, "node_modules/.bin/node");

/** A port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

export type RunningProcess = {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
  /** Resolves when a stdout line matches, or rejects after `timeoutMs`. */
  waitForLine: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
};

/** Runs a TypeScript entry point of this project (`node --import tsx`), in its own process. */
export function runTs(script: string, args: string[], env: Record<string, string>): RunningProcess {
  const child = spawn(node, ["--import", "tsx", script, ...args], {
    cwd: projectRoot,
    env: { PATH: `${resolve(projectRoot, "node_modules/.bin")}:${process.env.PATH}`, HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const waiters: Array<() => void> = [];
  child.stdout!.on("data", (chunk) => {
    out += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr!.on("data", (chunk) => (err += chunk));
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  const waitForLine = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no line matching ${pattern} in ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`)), timeoutMs);
      const check = () => {
        const line = out.split("\n").find((candidate) => pattern.test(candidate));
        if (line) {
          clearTimeout(timer);
          done(line);
        } else if (child.exitCode !== null) {
          clearTimeout(timer);
          fail(new Error(`exited with ${child.exitCode} before a line matching ${pattern}; stdout:\n${out}\nstderr:\n${err}`));
        } else waiters.push(check);
      };
      check();
      child.on("exit", () => check());
    });
  return { child, stdout: () => out, stderr: () => err, exited, waitForLine };
}
