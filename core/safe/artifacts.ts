import { createRequire } from "node:module";
import type { Abi, Hex } from "viem";
import { safeDeploymentOf, type SafeFlavour, type SupportedSafeVersion } from "./deployments.ts";

const require = createRequire(import.meta.url);

type Artifact = { abi: Abi; bytecode: Hex };

function safeArtifact(path: string): Artifact {
  const json = require(`@safe-global/safe-contracts/build/artifacts/contracts/${path}`) as Artifact;
  return { abi: json.abi, bytecode: json.bytecode };
}

/** The Safe v1.4.1 contracts, from the `@safe-global/safe-contracts` build. */
export const safeArtifacts = {
  safeSingleton: safeArtifact("SafeL2.sol/SafeL2.json"),
  safeProxyFactory: safeArtifact("proxies/SafeProxyFactory.sol/SafeProxyFactory.json"),
  multiSend: safeArtifact("libraries/MultiSend.sol/MultiSend.json"),
  multiSendCallOnly: safeArtifact("libraries/MultiSendCallOnly.sol/MultiSendCallOnly.json"),
  fallbackHandler: safeArtifact("handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json"),
  signMessageLib: safeArtifact("libraries/SignMessageLib.sol/SignMessageLib.json"),
  createCall: safeArtifact("libraries/CreateCall.sol/CreateCall.json"),
  simulateTxAccessor: safeArtifact("accessors/SimulateTxAccessor.sol/SimulateTxAccessor.json"),
} as const;

export type SafeContractName = keyof typeof safeArtifacts;

/** The SafeL2 ABI: every function and event of the Safe the treasury uses. */
export const safeAbi = safeArtifacts.safeSingleton.abi;
export const safeProxyFactoryAbi = safeArtifacts.safeProxyFactory.abi;
export const multiSendAbi = safeArtifacts.multiSend.abi;

/**
 * The Safe ABI of one version and flavour, from safe-deployments. Decode a
 * Safe's logs with its own version's ABI: v1.3.0 indexes no argument of
 * AddedOwner, RemovedOwner, EnabledModule, DisabledModule,
 * ChangedFallbackHandler, ChangedGuard, ExecutionSuccess and ExecutionFailure,
 * where v1.4.1 indexes their first.
 */
export function safeAbiFor(version: SupportedSafeVersion, flavour: SafeFlavour): Abi {
  return safeDeploymentOf(version, "safeSingleton", flavour).abi;
}

/** The proxy factory ABI of one version (v1.3.0's ProxyCreation indexes nothing; v1.4.1's indexes the proxy). */
export function safeProxyFactoryAbiFor(version: SupportedSafeVersion): Abi {
  return safeDeploymentOf(version, "safeProxyFactory").abi;
}
