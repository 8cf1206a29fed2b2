import { getAddress, type Address } from "viem";
import type { TreasuryDatabase } from "../database.ts";

/** How an owner's signature was given in an executed SafeTx, as the indexer recovered it. */
export type ExecutionSignerKind = "eoa" | "eth_sign" | "approved_hash" | "contract";

export type ExecutionSigner = { owner: Address; kind: ExecutionSignerKind };

/** The owners whose signatures executed this SafeTx on-chain (empty until the indexer has seen the execution), by address. */
export function listExecutionSigners(db: TreasuryDatabase, safeTxHash: string): ExecutionSigner[] {
  const rows = db
    .prepare("SELECT owner, kind FROM execution_signers WHERE lower(safe_tx_hash) = lower(?) ORDER BY owner")
    .all(safeTxHash) as { owner: string; kind: ExecutionSignerKind }[];
  return rows.map((row) => ({ owner: getAddress(row.owner), kind: row.kind }));
}
