import protocolKit, { type ContractNetworksConfig, type SafeConfig } from "@safe-global/protocol-kit";
import { createPublicClient, http, type Address, type Hex } from "viem";
import { safeContractsForChain, type SafeDeploymentType, type SafeFlavour, type SupportedSafeVersion } from "./deployments.ts";
import { detectSafeVersion } from "./versions.ts";

export type ContractNetworksForParameters = {
  chainId: number;
  version: SupportedSafeVersion;
  flavour: SafeFlavour;
  type?: SafeDeploymentType;
};

/**
 * protocol-kit's `contractNetworks` for a chain that `@safe-global/safe-deployments`
 * does not list for this version (the embedded chain, 31337): the canonical
 * addresses, where the embedded chain has the contracts too. Undefined where the
 * chain is listed: protocol-kit then finds the addresses itself.
 */
export function contractNetworksFor(parameters: ContractNetworksForParameters): ContractNetworksConfig | undefined {
  const { addresses, listed } = safeContractsForChain(parameters);
  if (listed) return undefined;
  return {
    [String(parameters.chainId)]: {
      safeSingletonAddress: addresses.safeSingleton,
      safeProxyFactoryAddress: addresses.safeProxyFactory,
      multiSendAddress: addresses.multiSend,
      multiSendCallOnlyAddress: addresses.multiSendCallOnly,
      fallbackHandlerAddress: addresses.fallbackHandler,
      signMessageLibAddress: addresses.signMessageLib,
      createCallAddress: addresses.createCall,
      simulateTxAccessorAddress: addresses.simulateTxAccessor,
    },
  };
}

/**
 * A protocol-kit Safe instance. The package's type declarations are
 * CommonJS-shaped, so TypeScript cannot see its default export as the class it
 * is at run time (ESM); this names the instance loosely instead.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ProtocolKitSafe = Record<string, any>;
const Safe = protocolKit as unknown as { init(config: SafeConfig): Promise<ProtocolKitSafe> };

export type ConnectSafeParameters = {
  rpcUrl: string;
  safeAddress: Address;
  /** A private key for protocol-kit to sign or send with; left out, it only reads. */
  signer?: Hex;
};

/**
 * A protocol-kit instance for the Safe (used to cross-check our own hashing and
 * in tests), for any supported version and flavour: the Safe's version is read
 * from the chain, and the contract addresses come from safe-deployments.
 */
export async function connectSafe({ rpcUrl, safeAddress, signer }: ConnectSafeParameters): Promise<ProtocolKitSafe> {
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) });
  const safe = await detectSafeVersion(client, safeAddress);
  return Safe.init({
    provider: rpcUrl,
    signer,
    safeAddress,
    isL1SafeSingleton: safe.flavour === "L1",
    contractNetworks: contractNetworksFor({ chainId: safe.chainId, version: safe.version, flavour: safe.flavour, type: safe.knownSingleton?.type }),
  });
}
