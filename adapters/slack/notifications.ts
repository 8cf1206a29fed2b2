import { getAddress, isAddress, isHex } from "viem";
import { listExecutedCallsInTransaction, readExecutedCall } from "../../db/chain-mirror/read.ts";
import { listUndeliveredOutbox, markOutboxDelivered } from "../../db/outbox.ts";
import { findStoredProposal } from "../../db/proposals.ts";
import { readMeta } from "../../db/meta.ts";
import type { TreasuryContext } from "../../core/context.ts";
import { formatAmountForPeople } from "../../core/money.ts";
import { changesOwnership, describeSafeTx, type SafeTxDescription } from "../../core/safe/describe.ts";
import { escapeText } from "./card.ts";
import { findCard, refreshCard } from "./cards.ts";
import type { SlackDeps } from "./deps.ts";
import { slackUsersOfOwners } from "./identity.ts";
import { postOnce } from "./post-once.ts";
import { labelOf, safeTxTextContext } from "./names.ts";
import { safeTxHeadline, safeTxParts } from "./safe-tx-text.ts";
import { channelsOfTreasury } from "./safes.ts";
import { multiSendAddresses } from "../../core/safe/setup.ts";
import { shortAddress, shortHash } from "../../core/short.ts";


function amountText(payment: Record<string, any>): string {
  try {
    const decimals = Number(payment.decimals ?? 18);
    const amount = formatAmountForPeople(BigInt(payment.amount), decimals);
    return `${amount} ${escapeText(String(payment.symbol ?? (payment.token ? shortAddress(String(payment.token)) : "ETH")), 20)}`;
  } catch {
    return `${escapeText(String(payment.amount), 40)} (units)`;
  }
}

/** What an indexed execution did, decoded from its stored call, or undefined when it is not in the chain mirror. */
export function describeExecution(ctx: TreasuryContext, safeTxHash: string): SafeTxDescription | undefined {
  const call = readExecutedCall(ctx.db, safeTxHash);
  if (!call || !isAddress(call.to, { strict: false }) || !isHex(call.data)) return undefined;
  return describeSafeTx({
    safeAddress: ctx.safeAddress,
    multiSendAddresses: multiSendAddresses(ctx.safe),
    call: { to: getAddress(call.to), value: BigInt(call.value), data: call.data, operation: call.operation },
  });
}

/**
 * True when an owner or threshold change was made by a Safe transaction whose
 * own announcement already names it (so the channel hears it once).
 */
function announcedWithItsExecution(ctx: TreasuryContext, txHash: unknown): boolean {
  if (typeof txHash !== "string") return false;
  return listExecutedCallsInTransaction(ctx.db, txHash).some((call) => call.success && (describeExecution(ctx, call.safeTxHash)?.actions.some(changesOwnership) ?? false));
}

function isZeroAmount(amount: unknown): boolean {
  try {
    return BigInt(String(amount)) === 0n;
  } catch {
    return false;
  }
}

/** The channel message for one outbox row: what happened, in a treasurer's words. */
export function outboxMessageText(deps: SlackDeps, ctx: TreasuryContext, kind: string, payload: Record<string, any>): string {
  const explorer = deps.settings.explorerTxUrl;
  const tx = (hash: unknown) => (typeof hash === "string" ? (explorer ? ` – <${explorer}${hash}|transaction>` : ` – tx \`${shortHash(hash)}\``) : "");
  switch (kind) {
    case "funds_received":
      return `:moneybag: *Received ${amountText(payload)}* from ${labelOf(ctx, payload.from)}${tx(payload.txHash)}`;
    case "transaction_executed": {
      const safeTxHash = String(payload.safeTxHash ?? "");
      const proposal = findStoredProposal(ctx.db, safeTxHash);
      const card = findCard(ctx, safeTxHash);
      const described = describeExecution(ctx, safeTxHash);
      let headline: string;
      let what: string;
      if (described) {
        const { emoji, headline: words } = safeTxHeadline(described);
        if (payload.success === false) {
          headline = ":x: *Safe transaction failed*";
          what = `nothing changed; it was to: ${safeTxParts(described, Number(payload.nonce), safeTxTextContext(ctx), "proposed").join("; ")}`;
        } else {
          headline = `${emoji} *${words}*`;
          what = safeTxParts(described, Number(payload.nonce), safeTxTextContext(ctx)).join("; ");
        }
      } else {
        // Not in the chain mirror any more (rolled back): say what the outbox row recorded.
        const payments = Array.isArray(payload.payments) ? payload.payments : [];
        headline = payload.success === false ? ":x: *Safe transaction failed*" : payments.length ? ":white_check_mark: *Payment sent*" : ":white_check_mark: *Safe transaction executed*";
        what = payments.length ? payments.map((payment: Record<string, any>) => `${amountText(payment)} to ${labelOf(ctx, payment.to)}`).join(", ") : "a Safe transaction";
      }
      const origin = proposal
        ? card?.permalink
          ? ` (proposal <${card.permalink}|#${payload.nonce}>${proposal.memo ? `: ${escapeText(proposal.memo, 200)}` : ""})`
          : ` (proposal #${payload.nonce}${proposal.memo ? `: ${escapeText(proposal.memo, 200)}` : ""})`
        : ` – nonce ${payload.nonce}, executed outside this bot (e.g. in the Safe web app)`;
      return `${headline}: ${what}${origin}${tx(payload.txHash)}`;
    }
    case "owners_changed": {
      if (payload.kind === "threshold") return `:key: *Threshold changed:* ${Number(payload.threshold)} approvals are now needed${tx(payload.txHash)}`;
      const who = typeof payload.owner === "string" ? labelOf(ctx, payload.owner) : "an owner";
      const mention = typeof payload.owner === "string" && isAddress(payload.owner, { strict: false }) ? slackUsersOfOwners(ctx, [getAddress(payload.owner)]).get(getAddress(payload.owner))?.slackUserId : null;
      const verb = payload.kind === "removed" ? "removed" : "added";
      return `:key: *Owner ${verb}:* ${who}${mention ? ` (<@${mention}>)` : ""}${payload.threshold ? `; threshold ${Number(payload.threshold)}` : ""}${tx(payload.txHash)}`;
    }
    default:
      return `:information_source: ${escapeText(kind, 40)}: ${escapeText(JSON.stringify(payload), 500)}`;
  }
}

/**
 * Posts this Safe's undelivered outbox rows, oldest first, in each channel
 * bound to this Safe (see channelsOfTreasury; never another Safe's channel),
 * each exactly once per channel: every post is keyed by row and channel (see
 * postOnce), and `outbox.delivered_at` is written with the last channel's
 * Slack ts, in one transaction. Rows at or below `announce_after_block`
 * (history re-indexed after a chain change) are marked delivered quietly.
 */
export async function deliverOutbox(deps: SlackDeps, ctx: TreasuryContext, limit = 50): Promise<number> {
  const channels = channelsOfTreasury(deps, ctx);
  if (channels.length === 0) return 0;
  const rows = listUndeliveredOutbox(ctx.db, limit);
  const announceAfter = Number(readMeta(ctx.db, "announce_after_block") ?? -1);
  let posted = 0;
  for (const row of rows) {
    if (row.blockNumber <= announceAfter) {
      markOutboxDelivered(ctx.db, row.id);
      continue;
    }
    const payload = row.payload as Record<string, any>;
    // Said once, with the execution that made it; and a zero-amount "deposit" (a rejection's call to the Safe itself,
    // or a look-alike address sending nothing to get into the history) is not news.
    const quiet =
      (row.kind === "owners_changed" && announcedWithItsExecution(ctx, payload.txHash)) || (row.kind === "funds_received" && isZeroAmount(payload.amount));
    if (quiet) {
      markOutboxDelivered(ctx.db, row.id);
      continue;
    }
    const text = outboxMessageText(deps, ctx, row.kind, payload);
    for (const [index, channel] of channels.entries()) {
      // The first channel keeps the key a one-channel Safe always used, so an upgrade never posts a row twice.
      const result = await postOnce(deps.ctx.db, deps.api, {
        key: `outbox:${ctx.chainId}:${ctx.safeAddress}:${row.id}${index === 0 ? "" : `:${channel}`}`,
        message: { channel, text },
        onPosted: index === channels.length - 1 ? () => markOutboxDelivered(ctx.db, row.id) : undefined,
      });
      if (result.posted) posted += 1;
    }
    // Every channel had it already (a crash after the last post's record): the row is done.
    markOutboxDelivered(ctx.db, row.id);
    if (row.kind === "transaction_executed" && typeof payload.safeTxHash === "string") await refreshCard(deps, ctx, payload.safeTxHash);
  }
  return posted;
}
