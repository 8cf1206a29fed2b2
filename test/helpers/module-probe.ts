import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "./processes.ts";

export type ProbedProcess = {
  /** The node flags the process ran with. */
  execArgv: string[];
  /** Every module it loaded, as paths from the project's folder (`dist/app/main.js`, `node_modules/commander/index.js`) or `node:` names. */
  modules: string[];
};

export type ModuleProbe = {
  /** Give these to `runNode` (node flags) and add `env` to the process's environment. */
  nodeArgs: string[];
  env: Record<string, string>;
  /** What the process (its main thread) loaded; read after it exited. */
  read: () => ProbedProcess;
};

/** A probe (test/helpers/module-probe-hook.mjs) that records what a spawned process loads. */
export function createModuleProbe(): ModuleProbe {
  const file = join(mkdtempSync(join(tmpdir(), "treasury-probe-")), "modules.jsonl");
  return {
    nodeArgs: ["--import", join(projectRoot, "test", "helpers", "module-probe-hook.mjs")],
    env: { MODULE_PROBE_FILE: file },
    read: () => {
      const [first] = readFileSync(file, "utf8").trim().split("\n");
      const probed = JSON.parse(first) as { execArgv: string[]; modules: string[] };
      const root = `file://${projectRoot}/`;
      return { execArgv: probed.execArgv, modules: probed.modules.map((url) => (url.startsWith(root) ? url.slice(root.length) : url)) };
    },
  };
}

/** The npm packages among loaded modules (`commander`, `@slack/bolt`), each once, sorted. */
export function packagesOf(modules: string[]): string[] {
  const names = new Set<string>();
  for (const path of modules) {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
    if (match) names.add(match[1]);
  }
  return [...names].sort();
}

/** What a compiled process must never load: a TypeScript loader or TypeScript source. */
export function typeScriptAtRunTime(probed: ProbedProcess): string[] {
  return [
    ...probed.execArgv.filter((flag) => /tsx|ts-node|experimental-strip-types|experimental-transform-types/.test(flag)),
    ...probed.modules.filter((path) => /(^|\/)node_modules\/(tsx|typescript|ts-node|esbuild)\//.test(path) || /\.m?ts$/.test(path)),
  ];
}
