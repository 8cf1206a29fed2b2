import type { Address, Hex } from "viem";
import { checksumAddress } from "./addresses.ts";
import type { ExecutionSigner } from "../db/chain-mirror/records.ts";
import { recoverOwners, recoverSignerLowercase, type RecoveredSigner } from "./signature-recovery.ts";

export { recoveryStats } from "./signature-recovery.ts";

/**
 * The owners whose signatures executed a SafeTx, checksummed, one per owner
 * (see `recoverOwners` for how the Safe's signature bytes are read).
 */
export async function recoverExecutionSigners(safeTxHash: Hex, signatures: Hex, threshold: number): Promise<ExecutionSigner[]> {
  return checksummed(await recoverOwners(safeTxHash, signatures, threshold));
}

/** Signers as recovered (owners in lower case, as the signer workers send them), with their owners checksummed. */
export function checksummed(signers: readonly RecoveredSigner[]): ExecutionSigner[] {
  return signers.map(({ owner, kind }) => ({ owner: checksumAddress(owner), kind }));
}

/** The address whose key made a 65-byte ECDSA signature (r, s, v) over `hash`. Same result as viem's `recoverAddress`. */
export async function recoverSigner(hash: Hex, signature: Hex): Promise<Address> {
  return checksumAddress(await recoverSignerLowercase(hash, signature));
}
