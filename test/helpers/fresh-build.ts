import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { node, projectRoot } from "./processes.ts";

/**
 * Mocha's global set-up (see .mocharc.json): tests spawn the compiled entry
 * points, so `dist/` is brought up to date with the sources before any test
 * runs, also when one test file runs alone. Quick when nothing changed.
 */
export function mochaGlobalSetup(): void {
  execFileSync(node, [join(projectRoot, "scripts", "build.mjs"), "--if-stale"], { cwd: projectRoot, stdio: ["ignore", "inherit", "inherit"] });
}
