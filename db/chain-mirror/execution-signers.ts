import { getAddress } from "viem";
import { statement } from "../connection.ts";
import type { ReadableDatabase } from "../handle.ts";
import type { ExecutionSigner } from "./records.ts";

/** The owners whose signatures executed this SafeTx on-chain (empty until the indexer has seen the execution), by address. */
export function listExecutionSigners(db: ReadableDatabase, safeTxHash: string): ExecutionSigner[] {
  const rows = statement(db, "SELECT owner, kind FROM execution_signers WHERE safe_id = @safe AND lower(safe_tx_hash) = lower(?) ORDER BY owner").all(safeTxHash) as ExecutionSigner[];
  return rows.map((row) => ({ owner: getAddress(row.owner), kind: row.kind }));
}
