// `npm run build` (and `npm install`, which runs it as `prepare`): compiles the
// program ahead of time, so nothing transpiles at run time:
// - the Solidity contracts (hardhat build, with the `solc` package: no download);
// - the TypeScript, into dist/ (tsc -p tsconfig.build.json; `.ts` imports become `.js`);
// - the review and link pages' wallet script, bundled with viem into dist/assets/wallet.js (esbuild).
// `--if-stale` builds only when dist/ is older than the sources (npm start, npm test,
// and the `treasury` command check that first), and then only what changed.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { existsSync, realpathSync, rmSync } from "node:fs";
import { beginBuild, distDir, projectRoot, staleSources } from "../bin/build-state.js";

const ifStale = process.argv.includes("--if-stale");
const quiet = process.argv.includes("--quiet");

/** Runs a package's command-line script on this Node (not whichever `node` is first on PATH). */
function runPackageBin(name, args) {
  const script = realpathSync(join(projectRoot, "node_modules", ".bin", name));
  execFileSync(process.execPath, [script, ...args], { cwd: projectRoot, stdio: ["ignore", "inherit", "inherit"] });
}

function step(what, run) {
  const started = performance.now();
  run();
  if (!quiet) console.error(`build: ${what} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

/** Whether the contracts need compiling: a full build, a changed contract or Hardhat config, or no artifacts yet. */
function contractsChanged(stale) {
  if (!stale || stale.changed === "all" || !existsSync(join(projectRoot, "artifacts"))) return true;
  return stale.changed.some((path) => path.startsWith("contracts/") || path === "hardhat.config.ts" || path === "package.json");
}

async function main() {
  // scripts/postinstall.mjs may run a nested `npm install`, which would run this too: the outer install builds, once, after it.
  if (process.env.TREASURY_POSTINSTALL === "1") return;
  let stale;
  if (ifStale) {
    stale = staleSources();
    if (!stale) return;
    if (!quiet) console.error(`build: ${stale.reason}; building`);
  } else {
    // A full build starts clean, so no module of a deleted source lingers in dist/.
    rmSync(distDir, { recursive: true, force: true });
  }
  const complete = beginBuild();
  if (contractsChanged(stale)) step("contracts", () => runPackageBin("hardhat", ["build", "--quiet"]));
  step("TypeScript to dist/", () => runPackageBin("tsc", ["-p", "tsconfig.build.json"]));
  const started = performance.now();
  const { build } = await import("esbuild"); // loaded only to build, not to find out that nothing needs building
  await build({
    entryPoints: [join(projectRoot, "adapters/web/pages/client/wallet.ts")],
    outfile: join(distDir, "assets/wallet.js"),
    bundle: true,
    format: "iife",
    platform: "browser",
    target: ["es2020"],
    minify: true,
    legalComments: "none",
    logLevel: "warning",
  });
  if (!quiet) console.error(`build: wallet page script (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  complete();
}

try {
  await main();
} catch (error) {
  // The failing step has printed its own errors (tsc, hardhat and esbuild all do).
  console.error(`build: failed${error?.status ? ` (exit ${error.status})` : `: ${error?.message ?? error}`}`);
  process.exit(1);
}
