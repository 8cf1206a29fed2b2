import {
  getAddress,
  hashMessage,
  isAddressEqual,
  isHex,
  recoverAddress,
  slice,
  toHex,
  type Address,
  type Hex,
} from "viem";
import type { TreasuryContext } from "../context.ts";
import { memberNameForAddress } from "../../db/people.ts";
import { wasEverOwner } from "../../db/chain-mirror/read.ts";
import { safeAbi } from "../safe/artifacts.ts";
import { readSafeOwnership } from "../safe/owners.ts";
import { hashSafeTx, safeTxTypes, type SafeTx } from "../safe/safe-tx.ts";
import { SignatureRefusedError } from "./errors.ts";
import { insertSignature, listSignatures, listStoredProposals, type StoredProposal } from "../../db/proposals.ts";
import { loadStoredProposal } from "./load.ts";
import type { ProposalApproval } from "./view.ts";

/** What the wallet said it signed, when the page or CLI knows it (eth_signTypedData_v4 input). */
export type SignedTypedData = {
  domain?: { chainId?: number | bigint | string; verifyingContract?: string };
  message?: Record<string, unknown>;
};

export type SubmitSignatureParameters = {
  safeTxHash: string;
  /** 65 bytes: r ‖ s ‖ v, v 27/28 (EIP-712) or 31/32 (eth_sign of the safeTxHash). */
  signature: string;
  source?: "wallet" | "key_file";
  /** The typed data the wallet signed; when given, each field is compared with the proposal's. */
  typedData?: SignedTypedData;
  /** The address the wallet says it signed with; when given, it must be the recovered signer. */
  signer?: string;
};

export type SubmitSignatureReturnType = {
  owner: Address;
  approvals: ProposalApproval[];
  threshold: number;
  ready: boolean;
};

const SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
const COMMON_CHAIN_IDS = [1, 10, 56, 100, 137, 324, 8453, 42161, 43114, 59144, 534352, 11155111, 84532, 17000, 31337, 1337];

type ParsedSignature = { signature: Hex; kind: "eip712" | "eth_sign" };

/** r values below 2^160 are addresses: with v = 0 or 1 they are the Safe's contract-signature and approved-hash forms. */
const ADDRESS_LIMIT = 1n << 160n;

/**
 * Checks a wallet signature's text and bytes: "0x" and exactly 130 hex digits
 * (65 bytes: r ‖ s ‖ v), a nonzero r and s, a canonical s (EIP-2), and v 27/28
 * (or 0/1, normalised to 27/28) or 31/32 (eth_sign). Nothing is padded or
 * repaired: anything else throws a malformed `SignatureRefusedError` saying what is wrong.
 * The Safe's contract-signature (v = 0) and approved-hash (v = 1) forms are
 * refused: they are not wallet signatures.
 */
export function parseOwnerSignature(text: string): ParsedSignature {
  const input = String(text ?? "").trim();
  if (!isHex(input, { strict: true })) throw new SignatureRefusedError("malformed", "The signature is not hex: a wallet signature is 0x followed by 130 hex digits.");
  const digits = input.length - 2;
  if (digits % 2 === 1)
    throw new SignatureRefusedError("malformed", `The signature has an odd number of hex digits (${digits}); a wallet signature is exactly 130 (65 bytes). Copy it again in full.`);
  if (digits !== 130)
    throw new SignatureRefusedError("malformed", `The signature is ${digits / 2} bytes; a wallet signature is 65 bytes (130 hex digits).`);
  const r = BigInt(slice(input, 0, 32));
  const s = BigInt(slice(input, 32, 64));
  let v = Number(BigInt(slice(input, 64, 65)));
  if ((v === 0 || v === 1) && r < ADDRESS_LIMIT)
    throw new SignatureRefusedError("malformed", 
      v === 0
        ? "This is a Safe contract signature (v = 0), not a wallet signature; the treasury takes wallet signatures only."
        : "This is a Safe approved-hash signature (v = 1), not a wallet signature; an owner approves on-chain with approveHash, or signs with a wallet.",
    );
  if (r === 0n || s === 0n) throw new SignatureRefusedError("malformed", "The signature has a zero r or s; it is not a real signature.");
  if (s > SECP256K1_HALF_N) throw new SignatureRefusedError("malformed", "The signature's s value is too high (not canonical, EIP-2).");
  if (v === 0 || v === 1) v += 27;
  if (v === 27 || v === 28) return { signature: `${slice(input, 0, 64)}${toHex(v, { size: 1 }).slice(2)}` as Hex, kind: "eip712" };
  if (v === 31 || v === 32) return { signature: input as Hex, kind: "eth_sign" };
  throw new SignatureRefusedError("malformed", `The signature's v byte is ${v}; expected 27 or 28 (or 31/32 for eth_sign).`);
}

/** The signer of a parsed signature over a safeTxHash (EIP-712 directly; eth_sign over the prefixed hash). */
async function recoverSigner(hash: Hex, parsed: ParsedSignature): Promise<Address> {
  if (parsed.kind === "eip712") return getAddress(await recoverAddress({ hash, signature: parsed.signature }));
  const v = Number(BigInt(slice(parsed.signature, 64, 65))) - 4;
  const signature = `${slice(parsed.signature, 0, 64)}${toHex(v, { size: 1 }).slice(2)}` as Hex;
  return getAddress(await recoverAddress({ hash: hashMessage({ raw: hash }), signature }));
}

/** Like `recoverSigner`, but a signature that recovers to no point on the curve is a malformed `SignatureRefusedError`. */
async function recoverSignerOrRefuse(hash: Hex, parsed: ParsedSignature): Promise<Address> {
  try {
    return await recoverSigner(hash, parsed);
  } catch (cause) {
    throw new SignatureRefusedError("malformed", "The signature recovers to no address: its r value is not a point on the secp256k1 curve.", { cause });
  }
}

export type RecoverOwnerParameters = {
  /** The safeTxHash that was signed. */
  safeTxHash: Hex;
  signature: string;
  /** The address the wallet says it signed with; when given, it must be the recovered signer. */
  signer?: string;
};

/**
 * The current owner (read live from the chain) who made `signature` over
 * `safeTxHash`. Throws a `SignatureRefusedError` when the signature is
 * malformed, recovers to no address, or recovers to someone who is not an
 * owner now (or not the claimed signer).
 */
export async function recoverOwnerSignature(ctx: TreasuryContext, params: RecoverOwnerParameters): Promise<{ owner: Address; signature: Hex }> {
  const parsed = parseOwnerSignature(params.signature);
  const signer = await recoverSignerOrRefuse(params.safeTxHash, parsed);
  const claimed = params.signer ? getAddress(params.signer) : undefined;
  if (claimed && claimed !== signer)
    throw new SignatureRefusedError("other_proposal", `This signature was not made by ${claimed} over safeTxHash ${params.safeTxHash}.`);
  const { owners } = await readSafeOwnership(ctx);
  if (!owners.includes(signer)) {
    if (await wasOwner(ctx, signer)) throw new SignatureRefusedError("removed_owner", `The signer ${signer} is no longer an owner of this Safe.`);
    throw new SignatureRefusedError("not_owner", `The signature recovers to ${signer}, which is not an owner of this Safe (or it was made over different transaction details).`);
  }
  return { owner: signer, signature: parsed.signature };
}

/**
 * Accepts an owner's approval of a pending proposal. The signature must
 * recover to a current owner (read live from the chain) over this proposal's
 * safeTxHash (this chain, this Safe, this nonce, these fields), the nonce must
 * still be unused, and that owner's approval must not be stored yet. Every
 * refusal throws a `SignatureRefusedError` whose `reason` and message
 * say why; nothing is stored on refusal.
 */
export async function submitSignature(ctx: TreasuryContext, params: SubmitSignatureParameters): Promise<SubmitSignatureReturnType> {
  const proposal = loadStoredProposal(ctx.db, params.safeTxHash);
  const parsed = parseOwnerSignature(params.signature);
  if (proposal.status !== "pending") throw new SignatureRefusedError("not_pending", `This proposal is ${proposal.status}; it takes no more approvals.`);
  if (proposal.chainId !== ctx.chainId)
    throw new SignatureRefusedError("wrong_chain", `This proposal is for chain ${proposal.chainId}, but the treasury runs on chain ${ctx.chainId}.`);
  if (!isAddressEqual(proposal.safeAddress, ctx.safeAddress))
    throw new SignatureRefusedError("wrong_safe", `This proposal is for the Safe ${proposal.safeAddress}, not this treasury's ${ctx.safeAddress}.`);
  const ownership = await readSafeOwnership(ctx);
  if (proposal.nonce < ownership.nonce)
    throw new SignatureRefusedError("stale_nonce", `Nonce ${proposal.nonce} is already used on-chain (the Safe is at ${ownership.nonce}); this proposal can no longer execute.`);
  if (params.typedData) compareTypedData(ctx, proposal, params.typedData);

  const signer = await recoverSignerOrRefuse(proposal.safeTxHash, parsed);
  const claimed = params.signer ? getAddress(params.signer) : undefined;
  const owners = ownership.owners;
  if (!owners.includes(signer) || (claimed && claimed !== signer)) {
    await explainForeignSignature(ctx, proposal, parsed, owners, claimed);
    if (claimed && claimed !== signer)
      throw new SignatureRefusedError("other_proposal", 
        `This signature was not made over this proposal: it does not come from ${claimed} for safeTxHash ${proposal.safeTxHash}.`,
      );
    if (await wasOwner(ctx, signer))
      throw new SignatureRefusedError("removed_owner", `The signer ${signer} is no longer an owner of this Safe; their approval does not count.`);
    throw new SignatureRefusedError("not_owner", 
      `The signature recovers to ${signer}, which is not an owner of this Safe (or it was made over different transaction details).`,
    );
  }

  const stored = listSignatures(ctx.db, proposal.safeTxHash).find((entry) => entry.owner === signer);
  if (stored)
    throw new SignatureRefusedError("duplicate", 
      stored.signature.toLowerCase() === parsed.signature.toLowerCase()
        ? `This signature of ${signer} is already stored.`
        : `${signer} has already approved this proposal.`,
    );
  const inserted = insertSignature(ctx.db, proposal.safeTxHash, {
    owner: signer,
    signature: parsed.signature,
    source: params.source ?? "wallet",
    // Who the signer is known as now, kept with the approval: a later wallet link never rewrites it.
    signerName: memberNameForAddress(ctx.db, signer),
    createdAt: ctx.now(),
  });
  if (!inserted) throw new SignatureRefusedError("duplicate", `${signer} has already approved this proposal.`);
  ctx.logger.info({ safeTxHash: proposal.safeTxHash, owner: signer }, "approval stored");

  const approvals = listSignatures(ctx.db, proposal.safeTxHash)
    .filter((entry) => owners.includes(entry.owner))
    .map((entry) => ({ owner: entry.owner, name: entry.signerName, source: entry.source }));
  return { owner: signer, approvals, threshold: ownership.threshold, ready: approvals.length >= ownership.threshold };
}

/** Compares what the wallet signed with the stored proposal; throws naming the first difference. */
function compareTypedData(ctx: TreasuryContext, proposal: StoredProposal, typedData: SignedTypedData): void {
  const domain = typedData.domain ?? {};
  if (domain.chainId !== undefined && BigInt(domain.chainId) !== BigInt(proposal.chainId))
    throw new SignatureRefusedError("wrong_chain", `The wallet signed for chain ${BigInt(domain.chainId)}, but this Safe is on chain ${proposal.chainId}; switch the wallet's network.`);
  if (domain.verifyingContract !== undefined && String(domain.verifyingContract).toLowerCase() !== proposal.safeAddress.toLowerCase())
    throw new SignatureRefusedError("wrong_safe", `The wallet signed for the Safe ${domain.verifyingContract}, not this treasury's ${proposal.safeAddress}.`);
  const message = typedData.message ?? {};
  if (message.nonce !== undefined && BigInt(String(message.nonce)) !== BigInt(proposal.nonce))
    throw new SignatureRefusedError("wrong_nonce", `The wallet signed nonce ${String(message.nonce)}, but this proposal is nonce ${proposal.nonce}.`);
  for (const { name, type } of safeTxTypes.SafeTx) {
    if (!(name in message)) continue;
    const signed = message[name];
    const expected = proposal.safeTx[name as keyof SafeTx];
    const same =
      type === "uint256" || type === "uint8"
        ? safeBigInt(signed) === BigInt(expected as bigint | number)
        : String(signed).toLowerCase() === String(expected).toLowerCase();
    if (!same)
      throw new SignatureRefusedError("tampered_field", `The signed transaction's "${name}" differs from the proposal's; it was changed after it was proposed.`, { field: name });
  }
  void ctx;
}

function safeBigInt(value: unknown): bigint | undefined {
  try {
    return BigInt(value as string);
  } catch {
    return undefined;
  }
}

/**
 * When a signature does not recover to an owner over this proposal, tries the
 * variants we can know (other nonces, other common chains, other stored
 * proposals) and throws the specific refusal if an owner signed one of them.
 */
async function explainForeignSignature(
  ctx: TreasuryContext,
  proposal: StoredProposal,
  parsed: ParsedSignature,
  owners: Address[],
  claimed: Address | undefined,
): Promise<void> {
  const firstOwners = await ownersAtCreation(ctx);
  const isSigner = (address: Address) =>
    claimed ? address === claimed : owners.includes(address) || firstOwners.includes(address) || wasEverOwner(ctx.db, address);
  const tryHash = async (hash: Hex) => {
    try {
      const recovered = await recoverSigner(hash, parsed);
      return isSigner(recovered) ? recovered : undefined;
    } catch {
      return undefined;
    }
  };
  for (const other of listStoredProposals(ctx.db)) {
    if (other.safeTxHash === proposal.safeTxHash) continue;
    const who = await tryHash(other.safeTxHash);
    if (who)
      throw new SignatureRefusedError("other_proposal", `This is ${who}'s signature of another proposal (nonce ${other.nonce}, ${other.safeTxHash}), not of this one.`);
  }
  for (let delta = -5; delta <= 5; delta++) {
    const nonce = proposal.nonce + delta;
    if (delta === 0 || nonce < 0) continue;
    const { safeTxHash } = hashSafeTx({ chainId: proposal.chainId, safeAddress: proposal.safeAddress }, { ...proposal.safeTx, nonce: BigInt(nonce) });
    if (await tryHash(safeTxHash))
      throw new SignatureRefusedError("wrong_nonce", `This signature is for nonce ${nonce}, but this proposal is nonce ${proposal.nonce}.`);
  }
  for (const chainId of COMMON_CHAIN_IDS) {
    if (chainId === proposal.chainId) continue;
    const { safeTxHash } = hashSafeTx({ chainId, safeAddress: proposal.safeAddress }, proposal.safeTx);
    if (await tryHash(safeTxHash))
      throw new SignatureRefusedError("wrong_chain", `This signature is for chain ${chainId}, but this Safe is on chain ${proposal.chainId}; switch the wallet's network.`);
  }
}

/** The Safe's owners when it was created, read at its creation block (none when the RPC keeps no history). */
async function ownersAtCreation(ctx: Pick<TreasuryContext, "client" | "safeAddress" | "safe">): Promise<Address[]> {
  try {
    const owners = await ctx.client.readContract({ address: ctx.safeAddress, abi: safeAbi, functionName: "getOwners", blockNumber: BigInt(ctx.safe.creationBlock) });
    return (owners as Address[]).map((owner) => getAddress(owner));
  } catch {
    return [];
  }
}

/** True when the address was an owner once: in the indexed history, or among the owners the Safe was created with. */
export async function wasOwner(ctx: Pick<TreasuryContext, "db" | "client" | "safeAddress" | "safe">, address: Address): Promise<boolean> {
  if (wasEverOwner(ctx.db, address)) return true;
  return (await ownersAtCreation(ctx)).includes(getAddress(address));
}
