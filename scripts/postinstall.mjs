// Hardhat's EDR ships its native binding as optional, per-platform packages that
// require Node >= 22. On a machine whose system Node is 20, `npm install` marks
// them inert and skips them (and a later `npm install <pkg>` prunes them again).
// The project runs on the Node 22 from the `node` devDependency, which npm puts
// first on PATH for this script. So: when the binding is missing, install once
// more under Node 22, then copy the binding next to EDR's loader, which looks
// there first, so that no later prune can take it away.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

function edrLoads() {
  try {
    require("@nomicfoundation/edr");
    return true;
  } catch {
    return false;
  }
}

function pinBinding() {
  const edrDir = dirname(require.resolve("@nomicfoundation/edr"));
  const scopeDir = dirname(edrDir);
  for (const name of readdirSync(scopeDir)) {
    if (!name.startsWith("edr-")) continue;
    for (const file of readdirSync(join(scopeDir, name))) {
      if (file.endsWith(".node") && !existsSync(join(edrDir, file))) copyFileSync(join(scopeDir, name, file), join(edrDir, file));
    }
  }
}

if (process.env.TREASURY_POSTINSTALL !== "1") {
  if (!edrLoads()) {
    console.log(`postinstall: installing Hardhat's native EDR binding under Node ${process.version}`);
    execFileSync("npm", ["install", "--no-audit", "--no-fund"], {
      stdio: "inherit",
      env: { ...process.env, TREASURY_POSTINSTALL: "1" },
    });
  }
  pinBinding();
  if (!edrLoads()) {
    console.error("postinstall: Hardhat's EDR binding still does not load; see README, Troubleshooting");
    process.exit(1);
  }
}
