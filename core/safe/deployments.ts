import {
  getCompatibilityFallbackHandlerDeployments,
  getCreateCallDeployments,
  getMultiSendCallOnlyDeployments,
  getMultiSendDeployments,
  getProxyFactoryDeployments,
  getSafeL2SingletonDeployments,
  getSafeSingletonDeployments,
  getSignMessageLibDeployments,
  getSimulateTxAccessorDeployments,
} from "@safe-global/safe-deployments";
import { getAddress, type Abi, type Address } from "viem";
import { TreasuryError } from "../errors.ts";

/** `@safe-global/safe-deployments` has no record of a contract asked for (a programming error, or a package too old). */
export class UnknownSafeDeploymentError extends TreasuryError {
  override name = "UnknownSafeDeploymentError";
}

/** The Safe versions the treasury runs. */
export const supportedSafeVersions = ["1.3.0", "1.4.1"] as const;
export type SupportedSafeVersion = (typeof supportedSafeVersions)[number];

/** L1: the plain singleton (`GnosisSafe`, `Safe`). L2: `SafeL2`, whose events carry the whole SafeTx. */
export type SafeFlavour = "L1" | "L2";

/** How Safe deployed a contract: "canonical" (the deterministic deployment proxy), "eip155" (the Safe singleton factory), "zksync". */
export type SafeDeploymentType = "canonical" | "eip155" | "zksync";

/** The contracts that make up one Safe version, named as in a deployment record. */
export type SafeContractAddresses = {
  /** The singleton of the flavour asked for. */
  safeSingleton: Address;
  safeProxyFactory: Address;
  multiSend: Address;
  multiSendCallOnly: Address;
  fallbackHandler: Address;
  signMessageLib: Address;
  createCall: Address;
  simulateTxAccessor: Address;
};
export type SafeContractRole = keyof SafeContractAddresses;

type DeploymentsFilter = { version?: string; released?: boolean };
type SafeDeployments = {
  version: string;
  deployments: Partial<Record<SafeDeploymentType, { address: string; codeHash: string }>>;
  networkAddresses: Record<string, string | string[]>;
  abi: Abi;
};
type DeploymentsLookup = (filter?: DeploymentsFilter) => SafeDeployments | undefined;

const lookups: Record<Exclude<SafeContractRole, "safeSingleton">, DeploymentsLookup> = {
  safeProxyFactory: getProxyFactoryDeployments,
  multiSend: getMultiSendDeployments,
  multiSendCallOnly: getMultiSendCallOnlyDeployments,
  fallbackHandler: getCompatibilityFallbackHandlerDeployments,
  signMessageLib: getSignMessageLibDeployments,
  createCall: getCreateCallDeployments,
  simulateTxAccessor: getSimulateTxAccessorDeployments,
};

export const safeContractRoles: readonly SafeContractRole[] = [
  "safeSingleton",
  "safeProxyFactory",
  "multiSend",
  "multiSendCallOnly",
  "fallbackHandler",
  "signMessageLib",
  "createCall",
  "simulateTxAccessor",
];

const records = new Map<string, SafeDeployments | undefined>();
/**
 * safe-deployments' released record of one contract and version, read once per process: the package rebuilds every
 * chain's addresses at each look-up (about 30 ms of CPU per Safe connected). Records are shared: read them, never change them.
 */
function releasedRecord(lookup: DeploymentsLookup, name: string, version: string): SafeDeployments | undefined {
  const key = `${name}@${version}`;
  if (!records.has(key)) records.set(key, lookup({ version, released: true }));
  return records.get(key);
}

/** safe-deployments' record of one contract of one version (exactly that version, released). */
export function safeDeploymentOf(version: string, role: SafeContractRole, flavour: SafeFlavour = "L2"): SafeDeployments {
  const [name, lookup]: [string, DeploymentsLookup] =
    role === "safeSingleton" ? (flavour === "L2" ? ["singleton:L2", getSafeL2SingletonDeployments] : ["singleton:L1", getSafeSingletonDeployments]) : [role, lookups[role]];
  const found = releasedRecord(lookup, name, version);
  if (!found || found.version !== version) throw new UnknownSafeDeploymentError(`safe-deployments has no released ${role} of Safe v${version}.`);
  return found;
}

/**
 * The address safe-deployments gives a contract for one deployment type: the
 * same on every chain where Safe deployed it that way. Throws when the version
 * has no deployment of that type.
 */
export function canonicalSafeContracts(
  version: SupportedSafeVersion,
  flavour: SafeFlavour,
  type: SafeDeploymentType = "canonical",
): SafeContractAddresses {
  const addresses = {} as SafeContractAddresses;
  for (const role of safeContractRoles) {
    const deployment = safeDeploymentOf(version, role, flavour).deployments[type];
    if (!deployment) throw new UnknownSafeDeploymentError(`safe-deployments has no ${type} deployment of ${role} of Safe v${version}.`);
    addresses[role] = getAddress(deployment.address);
  }
  return addresses;
}

export type SafeContractsForChainParameters = {
  chainId: number;
  version: SupportedSafeVersion;
  flavour: SafeFlavour;
  /** Preferred where the chain has several (1.3.0 on mainnet has "canonical" and "eip155"): the Safe's own singleton's type. */
  type?: SafeDeploymentType;
};

export type SafeContractsForChainReturnType = {
  addresses: SafeContractAddresses;
  /**
   * True when safe-deployments lists every one of them for this chain. False:
   * some are the canonical addresses, which hold the contracts only where
   * someone deployed them there (the embedded chain does).
   */
  listed: boolean;
};

/** The contracts of a Safe version on one chain, as safe-deployments lists them, or else at their canonical addresses. */
export function safeContractsForChain({ chainId, version, flavour, type = "canonical" }: SafeContractsForChainParameters): SafeContractsForChainReturnType {
  const addresses = {} as SafeContractAddresses;
  let listed = true;
  for (const role of safeContractRoles) {
    const deployment = safeDeploymentOf(version, role, flavour);
    const onChain = deployment.networkAddresses[String(chainId)];
    const candidates = onChain === undefined ? [] : Array.isArray(onChain) ? onChain : [onChain];
    const preferred = deployment.deployments[type]?.address ?? deployment.deployments.canonical?.address;
    const chosen =
      candidates.find((address) => address.toLowerCase() === preferred?.toLowerCase()) ?? candidates[0] ?? preferred;
    if (candidates.length === 0) listed = false;
    if (!chosen) throw new UnknownSafeDeploymentError(`safe-deployments has no address for ${role} of Safe v${version}.`);
    addresses[role] = getAddress(chosen);
  }
  return { addresses, listed };
}

export type KnownSingleton = { version: string; flavour: SafeFlavour; type: SafeDeploymentType };

/** Every released singleton version safe-deployments knows, older ones included (to name what a Safe runs). */
const singletonVersions = ["1.0.0", "1.1.1", "1.2.0", "1.3.0", "1.4.1", "1.5.0"];

/** Which released Safe singleton lives at `address` (on any chain), or undefined for one safe-deployments does not know. */
export function findSafeSingleton(address: Address): KnownSingleton | undefined {
  const wanted = address.toLowerCase();
  for (const version of singletonVersions)
    for (const [flavour, lookup] of [
      ["L1", getSafeSingletonDeployments],
      ["L2", getSafeL2SingletonDeployments],
    ] as const) {
      const deployment = releasedRecord(lookup, `singleton:${flavour}`, version);
      if (!deployment || deployment.version !== version) continue;
      for (const [type, entry] of Object.entries(deployment.deployments))
        if (entry?.address.toLowerCase() === wanted) return { version, flavour, type: type as SafeDeploymentType };
    }
  return undefined;
}
