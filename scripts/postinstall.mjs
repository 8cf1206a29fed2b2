// Hardhat's EDR ships its native binding as optional, per-platform packages that
// require Node >= 22. On a machine whose system Node is 20, `npm install` marks
// them inert and skips them. The project runs on the Node 22 from the `node`
// devDependency, so npm runs this script with that Node first on PATH; when the
// binding is missing, install once more under Node 22, which keeps it.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

function edrLoads() {
  try {
    require("@nomicfoundation/edr");
    return true;
  } catch {
    return false;
  }
}

if (process.env.TREASURY_POSTINSTALL !== "1" && !edrLoads()) {
  console.log(`postinstall: installing Hardhat's native EDR binding under Node ${process.version}`);
  execFileSync("npm", ["install", "--no-audit", "--no-fund"], {
    stdio: "inherit",
    env: { ...process.env, TREASURY_POSTINSTALL: "1" },
  });
  if (!edrLoads()) {
    console.error("postinstall: Hardhat's EDR binding still does not load; see README, Troubleshooting");
    process.exit(1);
  }
}
