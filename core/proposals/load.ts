import { findStoredProposal, type StoredProposal } from "../../db/proposals.ts";
import type { ReadableDatabase } from "../../db/handle.ts";
import { ProposalNotFoundError } from "./errors.ts";

/** The stored proposal with this safeTxHash (any case); throws `ProposalNotFoundError`. */
export function loadStoredProposal(db: ReadableDatabase, safeTxHash: string): StoredProposal {
  const proposal = findStoredProposal(db, safeTxHash);
  if (!proposal) throw new ProposalNotFoundError(`No proposal with safeTxHash ${safeTxHash}.`);
  return proposal;
}
