import { findStoredProposal, findStoredProposalsByHashPrefix, listStoredProposals, type StoredProposal } from "../../db/proposals.ts";
import type { ReadableDatabase } from "../../db/handle.ts";
import { InvalidInputError } from "../errors.ts";
import { AmbiguousProposalError, ProposalNotFoundError } from "./errors.ts";

/** The fewest hex digits a safeTxHash prefix must have. */
export const minimumPrefixDigits = 4;

/** How a proposal is named in a message that lists several: its hash prefix, nonce, status and what it is. */
function describeCandidate(proposal: StoredProposal): string {
  const what = proposal.kind === "rejection" ? "rejection" : proposal.memo ? `"${proposal.memo.length > 30 ? `${proposal.memo.slice(0, 29)}…` : proposal.memo}"` : proposal.kind;
  return `${proposal.safeTxHash.slice(0, 10)} (nonce ${proposal.nonce}, ${proposal.status} ${what})`;
}

/**
 * The proposal a person means by `reference`, as they type it in a command:
 * - its number, `41` or `#41` (the Safe nonce it uses, as on the review page);
 *   when several proposals share that nonce, the one still pending, else the
 *   one the Safe executed;
 * - its full safeTxHash, or a unique prefix of it (`0x4f2a91`, or `4f2a91`),
 *   of at least four hex digits.
 * Throws `ProposalNotFoundError` when nothing matches, `AmbiguousProposalError`
 * (listing the candidates with their hash prefixes) when more than one does,
 * and `InvalidInputError` for anything that is neither.
 */
export function findProposal(db: ReadableDatabase, reference: string): StoredProposal {
  const text = reference.trim();
  const number = /^#?(\d+)$/.exec(text);
  if (number) return findByNumber(db, Number(number[1]), text);
  const hex = /^(?:0x)?([0-9a-fA-F]+)$/.exec(text);
  if (!hex)
    throw new InvalidInputError(`"${reference}" is not a proposal number (like 41 or #41) nor the start of a safeTxHash (like 0x4f2a91).`);
  const digits = hex[1].toLowerCase();
  if (digits.length === 64) {
    const proposal = findStoredProposal(db, `0x${digits}`);
    if (!proposal) throw new ProposalNotFoundError(`No proposal with safeTxHash 0x${digits}.`);
    return proposal;
  }
  if (digits.length > 64) throw new InvalidInputError(`"${reference}" is longer than a safeTxHash (64 hex digits).`);
  if (digits.length < minimumPrefixDigits)
    throw new InvalidInputError(`"${reference}" is too short to pick a proposal; give at least ${minimumPrefixDigits} hex digits of its safeTxHash, or its number.`);
  const matches = findStoredProposalsByHashPrefix(db, `0x${digits}`, 6);
  if (matches.length === 0) throw new ProposalNotFoundError(`No proposal's safeTxHash starts with 0x${digits}.`);
  if (matches.length > 1)
    throw new AmbiguousProposalError(
      `0x${digits} is the start of ${matches.length > 5 ? "more than 5" : matches.length} proposals' safeTxHash: ${matches
        .slice(0, 5)
        .map(describeCandidate)
        .join(", ")}; give more of the hash.`,
    );
  return matches[0];
}

function findByNumber(db: ReadableDatabase, nonce: number, typed: string): StoredProposal {
  if (!Number.isSafeInteger(nonce)) throw new InvalidInputError(`"${typed}" is not a proposal number.`);
  const onNonce = listStoredProposals(db, { nonce });
  if (onNonce.length === 0) throw new ProposalNotFoundError(`No proposal #${nonce} (no proposal uses nonce ${nonce}).`);
  if (onNonce.length === 1) return onNonce[0];
  const pending = onNonce.filter((proposal) => proposal.status === "pending");
  if (pending.length === 1) return pending[0];
  const settled = onNonce.filter((proposal) => proposal.status === "executed" || proposal.status === "failed");
  if (pending.length === 0 && settled.length === 1) return settled[0];
  const candidates = pending.length > 0 ? pending : onNonce;
  throw new AmbiguousProposalError(
    `#${nonce} is ${candidates.length} ${pending.length > 0 ? "pending " : ""}proposals on nonce ${nonce}: ${candidates
      .map(describeCandidate)
      .join(", ")}; name one by the start of its safeTxHash.`,
  );
}
