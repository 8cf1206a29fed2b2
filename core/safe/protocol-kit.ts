import protocolKit, { type ContractNetworksConfig, type SafeConfig } from "@safe-global/protocol-kit";
import type { Address, Hex } from "viem";
import type { Deployment } from "../deployment.ts";

/** protocol-kit's `contractNetworks` for a local deployment (public chains need none). */
export function contractNetworksFor(deployment: Deployment): ContractNetworksConfig {
  const { contracts } = deployment;
  return {
    [String(deployment.chainId)]: {
      safeSingletonAddress: contracts.safeSingleton,
      safeProxyFactoryAddress: contracts.safeProxyFactory,
      multiSendAddress: contracts.multiSend,
      multiSendCallOnlyAddress: contracts.multiSendCallOnly,
      fallbackHandlerAddress: contracts.fallbackHandler,
      signMessageLibAddress: contracts.signMessageLib,
      createCallAddress: contracts.createCall,
      simulateTxAccessorAddress: contracts.simulateTxAccessor,
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
  deployment: Deployment;
  safeAddress: Address;
  /** A private key for protocol-kit to sign or send with; left out, it only reads. */
  signer?: Hex;
};

/** A protocol-kit instance for the Safe (used to cross-check our own hashing and in tests). */
export function connectSafe({ rpcUrl, deployment, safeAddress, signer }: ConnectSafeParameters): Promise<ProtocolKitSafe> {
  return Safe.init({
    provider: rpcUrl,
    signer,
    safeAddress,
    contractNetworks: contractNetworksFor(deployment),
  });
}
