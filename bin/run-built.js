// Runs an entry point compiled ahead of time into dist/ (`npm install` builds it).
// If a source changed since that build, it is rebuilt first, so an edit never runs
// stale code. The check runs in this process (a directory walk and a few hundred
// stats), so starting costs no extra Node process.
import { execFileSync } from "node:child_process";
import module from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { distDir, projectRoot, staleSources } from "./build-state.js";

/** Builds what changed, if anything, then imports `dist/<entry>`; `name` is how failures are signed. */
export async function runBuilt(entry, name) {
  const stale = staleSources();
  if (stale) {
    console.error(`${name}: ${stale.reason}; building first`);
    try {
      execFileSync(process.execPath, [join(projectRoot, "scripts", "build.mjs"), "--if-stale", "--quiet"], { stdio: ["ignore", 2, 2] });
    } catch {
      console.error(`${name}: the build failed (above); fix it, or run \`npm run build\` to see it again`);
      process.exit(1);
    }
  }
  // Keep V8's compiled code of the modules between runs (Node 22.1+; in the OS's temporary folder, or
  // NODE_COMPILE_CACHE): a command or a start compiles what changed only.
  module.enableCompileCache?.();
  await import(pathToFileURL(join(distDir, entry)).href);
}
