import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
// Node 22 from the `node` devDependency, running the entry point itself (no wrapper process in
// between that could relay signals late or SIGKILL a busy child).
export const node = resolve(projectRoot, "node_modules/.bin/node");

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

/**
 * The compiled entry points a person runs (`npm start`, the `treasury` command,
 * `npm run seed`). Tests run them as they ship: JavaScript from dist/, no
 * TypeScript loader in the process (the mocha set-up builds dist/ first).
 */
export const entryPoints = {
  service: "dist/app/main.js",
  cli: "bin/treasury.js",
  seed: "dist/scripts/seed.js",
} as const;

export type RunNodeOptions = {
  /** Extra `node` flags before the script, e.g. `["--import", probe]`. */
  nodeArgs?: string[];
};

/** Runs a JavaScript entry point of this project (`node <script>`), in its own process, with only `env` (plus PATH and HOME) in its environment. */
export function runNode(script: string, args: string[], env: Record<string, string>, options: RunNodeOptions = {}): RunningProcess {
  return watch(spawnProject([...(options.nodeArgs ?? []), script, ...args], env));
}

function spawnProject(nodeArgs: string[], env: Record<string, string>): ChildProcess {
  return spawn(node, nodeArgs, {
    cwd: projectRoot,
    env: { PATH: `${resolve(projectRoot, "node_modules/.bin")}:${process.env.PATH}`, HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function watch(child: ChildProcess): RunningProcess {
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
