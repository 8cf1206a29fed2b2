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
  /** What was read of the code, to keep and give back as `earlier` next time. */
  code: SafeCode;
};

/**
 * What `detectSafeVersion` reads of a Safe's code that stays true while the proxy delegates to the same singleton:
 * the singleton, its version and flavour, and the helper contracts found deployed where safe-deployments lists none.
 */
export type SafeCode = { singleton: Address; version: SupportedSafeVersion; flavour: SafeFlavour; deployedHelpers: Address[] };

export type DetectSafeVersionParameters = {
  /** The client's chain id, when the caller has just read it. */
  chainId?: number;
  /**
   * An earlier reading of this Safe's code (`code` of an earlier result, kept). When the proxy still delegates to
   * that singleton, one request confirms it; otherwise (an upgraded Safe) everything is read again. Helper contracts
   * not deployed then are looked for again.
   */
  earlier?: KeptSafeCode;
};

/** A `SafeCode` as kept in a database: checked again before it is used. */
export type KeptSafeCode = { singleton: Address; version: string; flavour: string; deployedHelpers: Address[] };

function isSupported(version: string): version is SupportedSafeVersion {
  return (supportedSafeVersions as readonly string[]).includes(version);
}

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
export async function detectSafeVersion(client: Client, safeAddress: Address, { chainId: givenChainId, earlier }: DetectSafeVersionParameters = {}): Promise<DetectSafeVersionReturnType> {
  const address = getAddress(safeAddress);
  const chainId = givenChainId ?? (await client.getChainId());
  const confirmed = earlier && (await stillDelegatesTo(client, address, earlier));
  const { singleton, version, flavour } = confirmed ?? (await readSafeCode(client, address, chainId));
  const knownSingleton = findSafeSingleton(singleton);
  const forChain = safeContractsForChain({ chainId, version, flavour, type: knownSingleton?.type });
  const seenDeployed = new Set(confirmed ? confirmed.deployedHelpers.map((helper) => helper.toLowerCase()) : []);
  const pick = async (role: keyof SafeHelperContracts): Promise<Address | undefined> => {
    const candidate = forChain.addresses[role];
    // Listed contracts are taken as listed; code seen at an address stays there (the helpers cannot self-destruct).
    if (forChain.listed || seenDeployed.has(candidate.toLowerCase())) return candidate;
    const deployed = await client.getCode({ address: candidate });
    return deployed && deployed !== "0x" ? candidate : undefined;
  };
  const roles = ["multiSend", "multiSendCallOnly", "simulateTxAccessor", "signMessageLib", "createCall", "safeProxyFactory"] as const;
  const found = await Promise.all(roles.map(pick));
  const contracts = Object.fromEntries(roles.map((role, index) => [role, found[index]])) as SafeHelperContracts;

  return {
    address,
    chainId,
    version,
    flavour,
    singleton,
    knownSingleton,
    domain: { chainId, verifyingContract: address },
    contracts,
    contractsListed: forChain.listed,
    code: { singleton, version, flavour, deployedHelpers: forChain.listed ? [] : found.filter((helper): helper is Address => helper !== undefined) },
  };
}

/**
 * The earlier reading of the Safe's code when the proxy still delegates to the same singleton: the version and the
 * flavour are in the singleton's code, which cannot change (Safe singletons cannot self-destruct). One request.
 */
async function stillDelegatesTo(client: Client, address: Address, earlier: KeptSafeCode): Promise<SafeCode | undefined> {
  const singleton = await singletonInSlot(client, address).catch(() => undefined);
  const { version, flavour, deployedHelpers } = earlier;
  if (!singleton || !isAddressEqual(singleton, earlier.singleton) || !isSupported(version) || (flavour !== "L1" && flavour !== "L2")) return undefined;
  return { singleton, version, flavour, deployedHelpers };
}

/** Reads the proxy's singleton, its version and its flavour; refuses what is not a Safe of a supported version. */
async function readSafeCode(client: Client, address: Address, chainId: number): Promise<Omit<SafeCode, "deployedHelpers">> {
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
  if (!isSupported(version))
    throw new UnsupportedSafeVersionError(
      isOlder(version, supportedSafeVersions[0])
        ? `Safe v${version} is not supported; ${supportedText}. Update the Safe (Safe app: Settings, Safe Account) and try again.`
        : `Safe v${version} is not supported yet; ${supportedText}.`,
    );
  const knownSingleton = findSafeSingleton(singleton);
  const flavour: SafeFlavour =
    knownSingleton?.version === version ? knownSingleton.flavour : parsed[2] ? "L2" : await flavourFromCode(client, singleton);
  return { singleton, version, flavour };
}

/** The proxy's singleton: storage slot 0 of every Safe proxy, or `masterCopy()` where that is empty. Undefined when neither names a contract. */
async function readSingleton(client: Client, address: Address): Promise<Address | undefined> {
  const candidates: (() => Promise<Address | undefined>)[] = [
    () => singletonInSlot(client, address),
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

/** The address in the proxy's storage slot 0 (where every Safe proxy keeps its singleton); undefined when the slot holds no address. */
async function singletonInSlot(client: Client, address: Address): Promise<Address | undefined> {
  const slot = await client.getStorageAt({ address, slot: "0x0" });
  if (!slot || slot.length < 42 || BigInt(slot) >> 160n !== 0n) return undefined;
  return getAddress(`0x${slot.slice(-40)}`);
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
