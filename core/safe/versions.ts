import { getAddress, isAddressEqual, parseAbi, toEventSelector, zeroAddress, type Address, type PublicClient } from "viem";
import { TreasuryError } from "../errors.ts";
import {
  findSafeSingleton,
  safeContractsForChain,
  supportedSafeVersions,
  type KnownSingleton,
  type SafeFlavour,
  type SupportedSafeVersion,
} from "./deployments.ts";

/** The address is not a Safe (an ordinary account, or a contract of another kind). Trying again will not help. */
export class NotASafeError extends TreasuryError {
  override name = "NotASafeError";
}

/** The address is a Safe of a version the treasury does not run. */
export class UnsupportedSafeVersionError extends TreasuryError {
  override name = "UnsupportedSafeVersionError";
}

/** The EIP-712 domain of a Safe v1.3.0 or later: its SafeTx hashes and signatures are bound to this chain and this Safe. */
export type SafeDomain = { chainId: number; verifyingContract: Address };

/** Helper contracts a Safe uses by address; undefined where the chain has none (not listed, and no code at the canonical address). */
export type SafeHelperContracts = {
  multiSend: Address | undefined;
  multiSendCallOnly: Address | undefined;
  simulateTxAccessor: Address | undefined;
  signMessageLib: Address | undefined;
  createCall: Address | undefined;
  safeProxyFactory: Address | undefined;
};

export type DetectSafeVersionReturnType = {
  address: Address;
  chainId: number;
  version: SupportedSafeVersion;
  flavour: SafeFlavour;
  /** The contract the proxy delegates to. */
  singleton: Address;
  /** What safe-deployments knows of the singleton; undefined: a singleton it does not list (version and flavour then come from the code). */
  knownSingleton: KnownSingleton | undefined;
  domain: SafeDomain;
  contracts: SafeHelperContracts;
  /** True when safe-deployments lists this version's contracts for this chain (protocol-kit then needs no override). */
  contractsListed: boolean;
};

type Client = Pick<PublicClient, "getChainId" | "getCode" | "getStorageAt" | "readContract">;

const proxyAbi = parseAbi(["function masterCopy() view returns (address)", "function VERSION() view returns (string)"]);

/** Only an L2 singleton emits this event, so its topic sits in the L2 code as a constant. */
const safeMultiSigTransactionTopic = toEventSelector(
  "SafeMultiSigTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes,bytes)",
);

const supportedText = `the treasury works with Safe v${supportedSafeVersions.join(" and v")}`;

/**
 * Tells what Safe lives at `safeAddress` on the client's chain: its version
 * (from `VERSION()`), its flavour, its singleton, the EIP-712 domain its
 * signatures use, and the helper contracts to use with it. Refuses an address
 * that is not a Safe (`NotASafeError`) and a Safe of another version
 * (`UnsupportedSafeVersionError`), each with a one-line reason.
 */
export async function detectSafeVersion(client: Client, safeAddress: Address): Promise<DetectSafeVersionReturnType> {
  const address = getAddress(safeAddress);
  const chainId = await client.getChainId();
  const code = await client.getCode({ address });
  if (!code || code === "0x")
    throw new NotASafeError(`${address} is not a Safe: it has no code on chain ${chainId} (an ordinary account, or nothing deployed yet).`);

  const singleton = await readSingleton(client, address);
  if (!singleton)
    throw new NotASafeError(`${address} is a contract but not a Safe: it does not delegate to a Safe singleton.`);
  let reported: string;
  try {
    reported = await client.readContract({ address, abi: proxyAbi, functionName: "VERSION" });
  } catch (cause) {
    throw new NotASafeError(`${address} is a contract but not a Safe: it does not answer VERSION().`, { cause });
  }
  const parsed = /^(\d+\.\d+\.\d+)(\+L2)?$/.exec(reported.trim());
  if (!parsed) throw new NotASafeError(`${address} is a contract but not a Safe: its VERSION() is "${reported.slice(0, 40)}".`);
  const version = parsed[1];
  if (!(supportedSafeVersions as readonly string[]).includes(version))
    throw new UnsupportedSafeVersionError(
      isOlder(version, supportedSafeVersions[0])
        ? `Safe v${version} is not supported; ${supportedText}. Update the Safe (Safe app: Settings, Safe Account) and try again.`
        : `Safe v${version} is not supported yet; ${supportedText}.`,
    );

  const knownSingleton = findSafeSingleton(singleton);
  const flavour: SafeFlavour =
    knownSingleton?.version === version ? knownSingleton.flavour : parsed[2] ? "L2" : await flavourFromCode(client, singleton);
  const supported = version as SupportedSafeVersion;
  const forChain = safeContractsForChain({ chainId, version: supported, flavour, type: knownSingleton?.type });
  const pick = async (role: keyof SafeHelperContracts): Promise<Address | undefined> => {
    const candidate = forChain.addresses[role];
    if (forChain.listed) return candidate;
    const deployed = await client.getCode({ address: candidate });
    return deployed && deployed !== "0x" ? candidate : undefined;
  };
  const roles = ["multiSend", "multiSendCallOnly", "simulateTxAccessor", "signMessageLib", "createCall", "safeProxyFactory"] as const;
  const found = await Promise.all(roles.map(pick));
  const contracts = Object.fromEntries(roles.map((role, index) => [role, found[index]])) as SafeHelperContracts;

  return {
    address,
    chainId,
    version: supported,
    flavour,
    singleton,
    knownSingleton,
    domain: { chainId, verifyingContract: address },
    contracts,
    contractsListed: forChain.listed,
  };
}

/** The proxy's singleton: storage slot 0 of every Safe proxy, or `masterCopy()` where that is empty. Undefined when neither names a contract. */
async function readSingleton(client: Client, address: Address): Promise<Address | undefined> {
  const candidates: (() => Promise<Address | undefined>)[] = [
    async () => {
      const slot = await client.getStorageAt({ address, slot: "0x0" });
      if (!slot || slot.length < 42 || BigInt(slot) >> 160n !== 0n) return undefined;
      return getAddress(`0x${slot.slice(-40)}`);
    },
    () => client.readContract({ address, abi: proxyAbi, functionName: "masterCopy" }),
  ];
  for (const candidate of candidates) {
    const singleton = await candidate().catch(() => undefined);
    if (!singleton || isAddressEqual(singleton, zeroAddress)) continue;
    const code = await client.getCode({ address: singleton });
    if (code && code !== "0x") return singleton;
  }
  return undefined;
}

async function flavourFromCode(client: Client, singleton: Address): Promise<SafeFlavour> {
  const code = (await client.getCode({ address: singleton })) ?? "0x";
  return code.toLowerCase().includes(safeMultiSigTransactionTopic.slice(2)) ? "L2" : "L1";
}

function isOlder(version: string, than: string): boolean {
  const a = version.split(".").map(Number);
  const b = than.split(".").map(Number);
  for (let index = 0; index < 3; index++) if (a[index] !== b[index]) return a[index] < b[index];
  return false;
}
