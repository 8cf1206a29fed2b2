import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getAddress, type Address, type Hex } from "viem";

const require = createRequire(import.meta.url);

export type SafeDeploymentAsset = {
  version: string;
  contractName: string;
  deployments: Record<string, { address: Address; codeHash: Hex }>;
  networkAddresses: Record<string, string | string[]>;
};

/** The contracts each Safe version has on the embedded chain, by their names in safe-deployments. */
export const embeddedContractNames: Record<string, string[]> = {
  "1.3.0": ["GnosisSafe", "GnosisSafeL2", "GnosisSafeProxyFactory", "MultiSend", "MultiSendCallOnly", "CompatibilityFallbackHandler", "SignMessageLib", "CreateCall", "SimulateTxAccessor"],
  "1.4.1": ["Safe", "SafeL2", "SafeProxyFactory", "MultiSend", "MultiSendCallOnly", "CompatibilityFallbackHandler", "SignMessageLib", "CreateCall", "SimulateTxAccessor"],
};

/**
 * safe-deployments' own JSON records of one version, read straight from the
 * package's asset files (not through the product's lookups), by contract name.
 */
export function safeDeploymentAssets(version: string): Record<string, SafeDeploymentAsset> {
  const folder = join(dirname(require.resolve("@safe-global/safe-deployments/package.json")), "src", "assets", `v${version}`);
  const assets: Record<string, SafeDeploymentAsset> = {};
  for (const file of readdirSync(folder)) {
    const asset = JSON.parse(readFileSync(join(folder, file), "utf8")) as SafeDeploymentAsset;
    assets[asset.contractName] = asset;
  }
  return assets;
}

/** The canonical address safe-deployments records for a contract of a version. */
export function canonicalAddress(version: string, contractName: string): Address {
  return getAddress(safeDeploymentAssets(version)[contractName].deployments.canonical.address);
}

/** Addresses of one deployment type straight from safe-deployments' asset files. */
export function assetAddresses(version: "1.3.0" | "1.4.1", flavour: "L1" | "L2", type: string) {
  const assets = safeDeploymentAssets(version);
  const at = (name: string) => getAddress(assets[name].deployments[type].address);
  const old = version === "1.3.0";
  return {
    safeSingleton: at(flavour === "L1" ? (old ? "GnosisSafe" : "Safe") : old ? "GnosisSafeL2" : "SafeL2"),
    safeProxyFactory: at(old ? "GnosisSafeProxyFactory" : "SafeProxyFactory"),
    multiSend: at("MultiSend"),
    multiSendCallOnly: at("MultiSendCallOnly"),
    fallbackHandler: at("CompatibilityFallbackHandler"),
    signMessageLib: at("SignMessageLib"),
    createCall: at("CreateCall"),
    simulateTxAccessor: at("SimulateTxAccessor"),
  };
}
