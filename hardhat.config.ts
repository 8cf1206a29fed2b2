import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);
const solcPackage = require("solc/package.json") as { version: string };

/**
 * Hardhat 3, offline: the compiler is the `solc` npm package (no download),
 * and the local network is the in-process EDR simulation.
 */
export default defineConfig({
  solidity: {
    compilers: [
      {
        version: solcPackage.version,
        path: require.resolve("solc/soljson.js"),
        settings: { optimizer: { enabled: true, runs: 200 } },
      },
    ],
  },
  networks: {
    local: {
      type: "edr-simulated",
      chainType: "l1",
      chainId: 31337,
    },
  },
  paths: { sources: "./contracts" },
});
