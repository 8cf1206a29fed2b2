#!/usr/bin/env node
// The `treasury` command: the CLI compiled ahead of time into dist/ (`npm install`
// builds it). If a source changed since that build, it is rebuilt first, so an
// edit never runs stale code. The project runs on the Node 22 of its `node`
// devDependency (npx and npm scripts put it first on PATH).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { projectRoot, staleSources } from "./build-state.js";

const stale = staleSources();
if (stale) {
  console.error(`treasury: ${stale.reason}; building first`);
  try {
    execFileSync(process.execPath, [join(projectRoot, "scripts", "build.mjs"), "--if-stale", "--quiet"], { stdio: ["ignore", 2, 2] });
  } catch {
    console.error("treasury: the build failed (above); fix it, or run `npm run build` to see it again");
    process.exit(1);
  }
}
await import("../dist/app/cli.js");
