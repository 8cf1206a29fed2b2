import type { Address, Hex } from "viem";

/**
 * What the indexer hands the chain mirror: rows decoded from the chain, with
 * amounts as bigint base units. `token` null is the chain's native coin.
 */

/** A block as the mirror stores it: its hash and parent hash are what reorg checks compare. */
export type BlockHeader = { number: number; hash: Hex; parentHash: Hex; timestamp: number };

/** An owner whose signature executed a SafeTx, and how it signed. */
export type ExecutionSigner = { owner: Address; kind: "eoa" | "eth_sign" | "approved_hash" | "contract" };

/** One transfer an executed SafeTx made (a batch makes several: batchIndex 0, 1, ...). */
export type DecodedPayment = { batchIndex: number; token: Address | null; to: Address; amount: bigint };

/** Where an indexed row came from on the chain. */
export type ChainPosition = { blockNumber: number; blockTime: number; txHash: Hex; logIndex: number };

export type ExecutionRow = ChainPosition & {
  safeTxHash: Hex;
  nonce: number;
  to: Address;
  value: bigint;
  data: Hex;
  operation: number;
  safeTxGas: bigint;
  baseGas: bigint;
  gasPrice: bigint;
  gasToken: Address;
  refundReceiver: Address;
  signatures: Hex;
  success: boolean;
  feePayment: bigint;
  executor: Address | null;
  signers: ExecutionSigner[];
  payments: DecodedPayment[];
};

export type TransferRow = ChainPosition & { direction: "in" | "out"; token: Address | null; from: Address; to: Address; amount: bigint };
export type OwnerChangeRow = ChainPosition & {
  kind: "setup" | "added" | "removed" | "threshold";
  owner: Address | null;
  threshold: number | null;
  owners: Address[] | null;
};
export type ModuleEventRow = ChainPosition & {
  kind: "enabled" | "disabled" | "module_success" | "module_failure" | "guard_changed";
  address: Address;
};
export type ApprovedHashRow = ChainPosition & { approvedHash: Hex; owner: Address };

/**
 * A module's execution (ExecutionFromModuleSuccess/Failure): the call it had
 * the Safe make, when it could be read, and the payments in it. `reason` says
 * why the call is unknown (then `call` is null).
 */
export type ModuleExecutionRow = ChainPosition & {
  module: Address;
  success: boolean;
  call: { to: Address; value: bigint; data: Hex; operation: number } | null;
  reason: string | null;
  payments: DecodedPayment[];
};

/** A SafeTx execution whose call could not be read (an L1 Safe reached through a contract, with no call trace): kept with why. */
export type UndecodedExecutionRow = ChainPosition & { safeTxHash: Hex; success: boolean; feePayment: bigint; reason: string };

/** The key a module execution's payments are stored under (payments.safe_tx_hash): module executions have no SafeTx hash. */
export function moduleExecutionKey(position: Pick<ChainPosition, "txHash" | "logIndex">): string {
  return `module:${position.txHash.toLowerCase()}:${position.logIndex}`;
}

/** Every row one block range adds to the chain mirror. */
export type ChainMirrorRows = {
  executions: ExecutionRow[];
  transfers: TransferRow[];
  ownerChanges: OwnerChangeRow[];
  moduleEvents: ModuleEventRow[];
  approvedHashes: ApprovedHashRow[];
  /** Module executions (with their call and payments when known). */
  moduleExecutions?: ModuleExecutionRow[];
  /** SafeTx executions that could not be decoded, with the reason. */
  undecodedExecutions?: UndecodedExecutionRow[];
};

/** A token as it describes itself on the chain. */
export type TokenMetadata = { address: string; symbol: string; name: string; decimals: number };
