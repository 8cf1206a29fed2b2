import { isHex } from "viem";
import { listDepositsOfTransaction, writeDepositNote } from "../db/deposit-notes.ts";
import type { TreasuryContext } from "./context.ts";
import { InvalidInputError } from "./errors.ts";

const MAX_NOTE = 1000;

export type NoteDepositParameters = { txHash: string; memo: string; addedBy: string };

/**
 * Writes what a deposit was for (the invoice or grant it pays) on an indexed
 * deposit into the Safe, found by its transaction hash. The note is the Safe's
 * own (another Safe paid by the same transaction keeps its own). A second note
 * on the same deposit replaces the first. The note is data: nothing reads it as an instruction.
 * Throws `InvalidInputError` when the hash is not one, no indexed deposit has
 * it, or the memo is empty or too long.
 */
export function noteDeposit(ctx: Pick<TreasuryContext, "db" | "now">, { txHash, memo, addedBy }: NoteDepositParameters): void {
  const hash = txHash.trim();
  if (!isHex(hash) || hash.length !== 66) throw new InvalidInputError(`"${txHash}" is not a transaction hash (0x and 64 hex digits).`);
  const text = memo.trim();
  if (!text) throw new InvalidInputError("The note is empty; say what the deposit was for.");
  if (text.length > MAX_NOTE) throw new InvalidInputError(`The note is longer than ${MAX_NOTE} characters.`);
  const [deposit] = listDepositsOfTransaction(ctx.db, hash);
  if (!deposit) throw new InvalidInputError(`No deposit into the Safe has transaction hash ${hash} (run the indexer if it is new).`);
  writeDepositNote(ctx.db, { txHash: deposit.txHash, token: deposit.token, amount: deposit.amount, from: deposit.from, memo: text, addedBy, createdAt: ctx.now() });
}
