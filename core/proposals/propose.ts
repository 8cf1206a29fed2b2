import { randomBytes } from "node:crypto";
import { encodeFunctionData, getAddress, isHex, type Address, type Hex } from "viem";
import { resolvePayee } from "../people/address-book.ts";
import type { TreasuryContext } from "../context.ts";
import { InvalidInputError } from "../errors.ts";
import { formatAmountForPeople, parseAmount } from "../money.ts";
import { readSafeOwnership } from "../safe/owners.ts";
import { buildSafeTx, encodeMultiSend, hashSafeTx, type MultiSendCall, type SafeOperation } from "../safe/safe-tx.ts";
import { erc20Abi, type Token } from "../tokens.ts";
import { InsufficientBalanceError, InvalidPayeeError, NonceUsedError, UnknownPayeeError } from "./errors.ts";
import { memberNameForAddress } from "../../db/people.ts";
import {
  findStoredProposal,
  highestPendingNonce,
  insertProposal,
  listStoredProposals,
  type ProposalKind,
  type SignatureSource,
  type StoredTransfer,
} from "../../db/proposals.ts";
import { resolveToken } from "./tokens.ts";
import { getProposal, type ProposalView } from "./view.ts";

/** A payment as a person writes it: "250" "USDC" to "Acme Design Studio" (or a 0x address). */
export type PaymentInput = { amount: string; token: string; payee: string };

export type ProposePaymentParameters = {
  payments: PaymentInput[];
  /** Who proposes (a member id or name). */
  proposer: string;
  memo?: string;
  category?: string | null;
  /** Replace the pending proposal(s) on this nonce; left out, the next free nonce is used. */
  nonce?: number;
};

export type ProposeTransactionParameters = {
  to: Address;
  value?: bigint;
  data?: Hex;
  operation?: SafeOperation;
  proposer: string;
  memo?: string;
  category?: string | null;
  kind?: Exclude<ProposalKind, "rejection">;
  nonce?: number;
};

const MAX_BATCH = 100;
const MAX_MEMO = 1000;

/** The MultiSendCallOnly a batch runs through; a chain without one cannot take batches. */
function multiSendCallOnlyOf(ctx: Pick<TreasuryContext, "safe" | "chainId">): Address {
  const address = ctx.safe.contracts.multiSendCallOnly;
  if (!address)
    throw new InvalidInputError(`Chain ${ctx.chainId} has no MultiSendCallOnly contract for Safe v${ctx.safe.version}: propose the payments one by one.`);
  return address;
}

/** A random, unguessable token for the proposal's review link (192 bits). */
export function newReviewToken(): string {
  return randomBytes(24).toString("base64url");
}

/**
 * The nonce a new proposal gets: the Safe's on-chain nonce, or one past the
 * highest pending proposal still ahead of it, whichever is higher.
 */
export async function nextProposalNonce(ctx: TreasuryContext, safeNonce?: number): Promise<number> {
  const onChain = safeNonce ?? (await readSafeOwnership(ctx)).nonce;
  const highest = highestPendingNonce(ctx.db, onChain);
  return highest === null ? onChain : Math.max(onChain, highest + 1);
}

type ResolvedPayment = { token: Token; amount: bigint; payee: Address; label: string | null };

export type ResolvePaymentsReturnType = ResolvedPayment[];

/**
 * Checks every input of a payment that needs no chain – the number of
 * payments, each token, amount (with the token's decimals) and payee
 * (address or address-book label, not the Safe nor the token contract) – and
 * returns them resolved. Throws the first problem as an `InvalidInputError`
 * naming the payment ("(payment 2)") in a batch; an unknown label is an
 * `UnknownPayeeError`. Reads the database only, so it is quick enough to run
 * before acknowledging a request.
 */
export function resolvePayments(ctx: Pick<TreasuryContext, "db" | "tokens" | "safeAddress">, payments: PaymentInput[]): ResolvePaymentsReturnType {
  if (!Array.isArray(payments) || payments.length === 0) throw new InvalidInputError("A payment needs at least one payee.");
  if (payments.length > MAX_BATCH) throw new InvalidInputError(`A batch can hold at most ${MAX_BATCH} payments.`);
  return payments.map((payment, index) => {
    const where = payments.length > 1 ? ` (payment ${index + 1})` : "";
    try {
      const token = resolveToken(ctx, String(payment.token ?? ""));
      const amount = parseAmount(String(payment.amount ?? ""), token.decimals, token.symbol);
      const payee = resolvePayee(ctx, String(payment.payee ?? ""));
      if (payee.address === ctx.safeAddress) throw new InvalidPayeeError("The payee is the Safe itself; a payment to itself moves nothing.");
      if (token.address !== null && payee.address === token.address)
        throw new InvalidPayeeError(`The payee is the ${token.symbol} token contract; tokens sent there are lost.`);
      return { token, amount, payee: payee.address, label: payee.label };
    } catch (error) {
      if (error instanceof InvalidInputError && where) {
        const message = `${error.shortMessage.replace(/\.$/, "")}${where}.`;
        if (error instanceof UnknownPayeeError) throw new UnknownPayeeError(error.payee, message, { cause: error });
        const Wrapped = error.constructor as new (message: string, options?: object) => InvalidInputError;
        throw new Wrapped(message, { cause: error });
      }
      throw error;
    }
  });
}

/**
 * Proposes a payment (one payee) or a batch (several payees, one MultiSend
 * transaction). Checks every input first and stores nothing if any is wrong:
 * amounts (with the token's decimals), tokens, payees (checksummed address or
 * address-book label), and that the Safe holds enough for this payment alone.
 * Holding too little once other pending proposals are counted is a warning,
 * not a refusal. Returns the stored proposal with its warnings.
 */
export async function proposePayment(ctx: TreasuryContext, params: ProposePaymentParameters): Promise<ProposalView> {
  const resolved = resolvePayments(ctx, params.payments);

  // Refuse what this payment alone cannot pay.
  const totals = new Map<Address | null, { token: Token; total: bigint }>();
  for (const payment of resolved) {
    const entry = totals.get(payment.token.address) ?? { token: payment.token, total: 0n };
    entry.total += payment.amount;
    totals.set(payment.token.address, entry);
  }
  for (const { token, total } of totals.values()) {
    const balance =
      token.address === null
        ? await ctx.client.getBalance({ address: ctx.safeAddress })
        : await ctx.client.readContract({ address: token.address, abi: erc20Abi, functionName: "balanceOf", args: [ctx.safeAddress] });
    if (total > balance)
      throw new InsufficientBalanceError(
        `The Safe holds ${formatAmountForPeople(balance, token.decimals)} ${token.symbol}, less than the ${formatAmountForPeople(total, token.decimals)} ${token.symbol} asked for.`,
      );
  }

  const calls: MultiSendCall[] = resolved.map((payment) =>
    payment.token.address === null
      ? { to: payment.payee, value: payment.amount, data: "0x" }
      : {
          to: payment.token.address,
          value: 0n,
          data: encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [payment.payee, payment.amount] }),
        },
  );
  const transfers: StoredTransfer[] = resolved.map((payment, batchIndex) => ({
    batchIndex,
    token: payment.token.address,
    to: payment.payee,
    amount: payment.amount,
  }));
  const call =
    calls.length === 1
      ? { ...calls[0], operation: 0 as const }
      : { to: multiSendCallOnlyOf(ctx), value: 0n, data: encodeMultiSend(calls), operation: 1 as const };
  return storeProposal(ctx, {
    ...call,
    proposer: params.proposer,
    memo: params.memo,
    category: params.category,
    nonce: params.nonce,
    kind: "payment",
    transfers,
  });
}

/**
 * Proposes any Safe transaction (owner changes, contract calls). The caller
 * gives the call; the nonce and hashes are worked out as for payments.
 */
export async function proposeTransaction(ctx: TreasuryContext, params: ProposeTransactionParameters): Promise<ProposalView> {
  return storeProposal(ctx, { ...params, kind: params.kind ?? "other", transfers: [] });
}

type StoreProposalParameters = Omit<ProposeTransactionParameters, "kind"> & {
  kind: ProposalKind;
  transfers: StoredTransfer[];
  rejectsSafeTxHash?: Hex | null;
  /** A verified owner approval stored together with the proposal (in the same transaction). */
  firstSignature?: { owner: Address; signature: Hex; source: SignatureSource };
};

/** Validates the common fields, picks the nonce, hashes and stores. Internal to the proposal functions. */
export async function storeProposal(ctx: TreasuryContext, params: StoreProposalParameters): Promise<ProposalView> {
  const proposer = String(params.proposer ?? "").trim();
  if (!proposer) throw new InvalidInputError("A proposal needs a proposer.");
  const memo = String(params.memo ?? "").trim();
  if (memo.length > MAX_MEMO) throw new InvalidInputError(`The memo is longer than ${MAX_MEMO} characters.`);
  if (params.data !== undefined && !isHex(params.data)) throw new InvalidInputError("The call data is not hex.");
  if (params.operation !== undefined && params.operation !== 0 && params.operation !== 1)
    throw new InvalidInputError("The operation must be 0 (call) or 1 (delegatecall).");
  if (params.value !== undefined && params.value < 0n) throw new InvalidInputError("The value is negative.");

  const { nonce: safeNonce } = await readSafeOwnership(ctx);
  const next = await nextProposalNonce(ctx, safeNonce);
  let nonce = next;
  if (params.nonce !== undefined) {
    if (!Number.isInteger(params.nonce) || params.nonce < 0) throw new InvalidInputError(`The nonce "${params.nonce}" is not a whole number.`);
    if (params.nonce < safeNonce)
      throw new NonceUsedError(`Nonce ${params.nonce} is already used on-chain; the Safe is at nonce ${safeNonce}.`);
    if (params.nonce > next)
      throw new InvalidInputError(`Nonce ${params.nonce} would leave a gap; the next free nonce is ${next}.`);
    nonce = params.nonce;
  }

  const safeTx = buildSafeTx({ to: getAddress(params.to), value: params.value, data: params.data, operation: params.operation, nonce });
  const { safeTxHash } = hashSafeTx({ chainId: ctx.chainId, safeAddress: ctx.safeAddress }, safeTx);
  const existing = findStoredProposal(ctx.db, safeTxHash);
  if (existing) {
    if (existing.status === "pending" && params.kind === "rejection") return getProposal(ctx, safeTxHash);
    throw new InvalidInputError(`An identical proposal on nonce ${nonce} already exists (${existing.status}, ${safeTxHash}).`);
  }
  insertProposal(ctx.db, {
    safeTxHash,
    chainId: ctx.chainId,
    safeAddress: ctx.safeAddress,
    safeTx,
    kind: params.kind,
    rejectsSafeTxHash: params.rejectsSafeTxHash ?? null,
    proposer,
    memo,
    category: params.category?.trim() || null,
    reviewToken: newReviewToken(),
    transfers: params.transfers,
    createdAt: ctx.now(),
    firstSignature: params.firstSignature && {
      ...params.firstSignature,
      signerName: memberNameForAddress(ctx.db, params.firstSignature.owner),
      createdAt: ctx.now(),
    },
  });
  ctx.logger.info({ safeTxHash, nonce, kind: params.kind, proposer }, "proposal stored");
  return getProposal(ctx, safeTxHash);
}

/** Pending proposals that can still execute (nonce not used yet), oldest nonce first. */
export async function listQueue(ctx: TreasuryContext) {
  const { nonce } = await readSafeOwnership(ctx);
  return listStoredProposals(ctx.db, { status: "pending" })
    .filter((proposal) => proposal.nonce >= nonce)
    .sort((a, b) => a.nonce - b.nonce);
}
