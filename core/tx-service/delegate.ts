import { getAddress, recoverTypedDataAddress, type Address, type Hex } from "viem";
import type { TreasuryContext } from "../context.ts";
import { InvalidInputError } from "../errors.ts";
import { readSafeOwnership } from "../safe/owners.ts";
import type { TxServiceClient } from "./client.ts";

/**
 * The message an owner signs to add a delegate, exactly as the Safe
 * Transaction Service checks it (and as api-kit's `signDelegate` builds it):
 * EIP-712, domain "Safe Transaction Service" version 1.0 on this chain,
 * `Delegate(address delegateAddress, uint256 totp)`, where totp is the
 * current hour since the epoch (the service also takes the previous hour).
 */
export function delegateTypedData(ctx: Pick<TreasuryContext, "chainId" | "now">, delegate: Address, hourOffset = 0) {
  return {
    domain: { name: "Safe Transaction Service", version: "1.0", chainId: ctx.chainId },
    types: {
      Delegate: [
        { name: "delegateAddress", type: "address" },
        { name: "totp", type: "uint256" },
      ],
    },
    primaryType: "Delegate" as const,
    message: { delegateAddress: getAddress(delegate), totp: BigInt(Math.floor(ctx.now() / 3600) + hourOffset) },
  };
}

/** An owner's signature that adds the bot's key as a delegate was refused: not an owner, or not this message. */
export class DelegateSignatureRefusedError extends InvalidInputError {
  override name = "DelegateSignatureRefusedError";
}

export type AddBotDelegateParameters = {
  /** The bot's own address (from its delegate key). */
  delegate: Address;
  /** The owner who signed in their wallet. */
  owner: string;
  signature: Hex;
};

/**
 * Adds the bot's key as a delegate of this Safe in the Transaction Service,
 * with one owner's signature made in their own wallet. Checks here first what
 * the service checks: the signature is over this delegate and this or the
 * previous hour, and recovers to the claimed owner, who is a current owner
 * (read live from the chain). A delegate can propose transactions to the
 * Safe app's queue; it cannot approve, execute or move money.
 */
export async function addBotDelegate(ctx: TreasuryContext, client: TxServiceClient, params: AddBotDelegateParameters): Promise<{ delegator: Address }> {
  const owner = getAddress(params.owner);
  const { owners } = await readSafeOwnership(ctx);
  if (!owners.includes(owner)) throw new DelegateSignatureRefusedError(`${owner} is not an owner of this Safe; only an owner can add the bot as a delegate.`);
  let signedByOwner = false;
  for (const hourOffset of [0, -1]) {
    const signer = await recoverTypedDataAddress({ ...delegateTypedData(ctx, params.delegate, hourOffset), signature: params.signature }).catch(() => undefined);
    if (signer && getAddress(signer) === owner) signedByOwner = true;
  }
  if (!signedByOwner)
    throw new DelegateSignatureRefusedError(`This signature is not ${owner}'s signature of "add ${params.delegate} as delegate" for this hour; sign again from the page.`);
  await client.addDelegate({ safe: ctx.safeAddress, delegate: params.delegate, delegator: owner, signature: params.signature, label: "Shared treasury bot" });
  ctx.logger.info({ delegate: params.delegate, delegator: owner }, "the bot's key was added as a delegate in the Safe Transaction Service");
  return { delegator: owner };
}
