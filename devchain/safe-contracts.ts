import { createRequire } from "node:module";
import type { Hex } from "viem";
import type { SafeContractRole, SafeFlavour, SupportedSafeVersion } from "../core/safe/deployments.ts";
import { signMessageLib130InitCode } from "./sign-message-lib-1.3.0.ts";

const require = createRequire(import.meta.url);

/** A Safe contract as Safe deployed it on public chains: the same init code through the same deterministic deployer. */
export type SafeContractBuild = {
  version: SupportedSafeVersion;
  role: SafeContractRole;
  /** Set on singletons only. */
  flavour?: SafeFlavour;
  contractName: string;
  /** v1.3.0 went through the deterministic deployment proxy, v1.4.1 through the Safe singleton factory. */
  deployer: "deterministic-deployment-proxy" | "safe-singleton-factory";
  initCode: () => Hex;
};

function bytecodeOf(packageName: string, path: string): () => Hex {
  return () => (require(`${packageName}/build/artifacts/contracts/${path}`) as { bytecode: Hex }).bytecode;
}

const v130 = (path: string) => bytecodeOf("@gnosis.pm/safe-contracts", path);
const v141 = (path: string) => bytecodeOf("@safe-global/safe-contracts", path);

/** Every contract of Safe v1.3.0 and v1.4.1 that the embedded chain carries, with its build from the npm packages. */
export const safeContractBuilds: readonly SafeContractBuild[] = [
  ...(
    [
      ["safeSingleton", "L1", "GnosisSafe", v130("GnosisSafe.sol/GnosisSafe.json")],
      ["safeSingleton", "L2", "GnosisSafeL2", v130("GnosisSafeL2.sol/GnosisSafeL2.json")],
      ["safeProxyFactory", undefined, "GnosisSafeProxyFactory", v130("proxies/GnosisSafeProxyFactory.sol/GnosisSafeProxyFactory.json")],
      ["multiSend", undefined, "MultiSend", v130("libraries/MultiSend.sol/MultiSend.json")],
      ["multiSendCallOnly", undefined, "MultiSendCallOnly", v130("libraries/MultiSendCallOnly.sol/MultiSendCallOnly.json")],
      ["fallbackHandler", undefined, "CompatibilityFallbackHandler", v130("handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json")],
      ["signMessageLib", undefined, "SignMessageLib", () => signMessageLib130InitCode()],
      ["createCall", undefined, "CreateCall", v130("libraries/CreateCall.sol/CreateCall.json")],
      ["simulateTxAccessor", undefined, "SimulateTxAccessor", v130("accessors/SimulateTxAccessor.sol/SimulateTxAccessor.json")],
    ] as const
  ).map(([role, flavour, contractName, initCode]) => ({
    version: "1.3.0" as const,
    role,
    flavour,
    contractName,
    deployer: "deterministic-deployment-proxy" as const,
    initCode,
  })),
  ...(
    [
      ["safeSingleton", "L1", "Safe", v141("Safe.sol/Safe.json")],
      ["safeSingleton", "L2", "SafeL2", v141("SafeL2.sol/SafeL2.json")],
      ["safeProxyFactory", undefined, "SafeProxyFactory", v141("proxies/SafeProxyFactory.sol/SafeProxyFactory.json")],
      ["multiSend", undefined, "MultiSend", v141("libraries/MultiSend.sol/MultiSend.json")],
      ["multiSendCallOnly", undefined, "MultiSendCallOnly", v141("libraries/MultiSendCallOnly.sol/MultiSendCallOnly.json")],
      ["fallbackHandler", undefined, "CompatibilityFallbackHandler", v141("handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json")],
      ["signMessageLib", undefined, "SignMessageLib", v141("libraries/SignMessageLib.sol/SignMessageLib.json")],
      ["createCall", undefined, "CreateCall", v141("libraries/CreateCall.sol/CreateCall.json")],
      ["simulateTxAccessor", undefined, "SimulateTxAccessor", v141("accessors/SimulateTxAccessor.sol/SimulateTxAccessor.json")],
    ] as const
  ).map(([role, flavour, contractName, initCode]) => ({
    version: "1.4.1" as const,
    role,
    flavour,
    contractName,
    deployer: "safe-singleton-factory" as const,
    initCode,
  })),
];
