import type { Address } from "viem";
import type { SafeSetting, SafeTxAction, SafeTxDescription } from "../../core/safe/describe.ts";
import { formatAmountForPeople } from "../../core/money.ts";

/** How the Slack texts name addresses and tokens (mrkdwn, already escaped). */
export type SafeTxTextContext = {
  /** A payee, owner or contract as people know it, e.g. "*Acme* (`0x1234…abcd`)". */
  name: (address: Address) => string;
  token: (address: Address | null) => { symbol: string; decimals: number };
};

/** "done": what an execution did (notifications); "proposed": what signing would do (cards). */
export type SafeTxMood = "done" | "proposed";

const settingWords: Record<SafeSetting, { headline: string; done: (name: string | null) => string; proposed: (name: string | null) => string }> = {
  module_enabled: {
    headline: "Module enabled",
    done: (name) => `module ${name} enabled: it can move the Safe's funds without the owners' signatures`,
    proposed: (name) => `Enable module ${name}: it could move the Safe's funds without the owners' signatures`,
  },
  module_disabled: { headline: "Module disabled", done: (name) => `module ${name} disabled`, proposed: (name) => `Disable module ${name}` },
  guard_set: { headline: "Guard set", done: (name) => `guard ${name} now checks every transaction`, proposed: (name) => `Set ${name} as the guard that checks every transaction` },
  guard_removed: { headline: "Guard removed", done: () => "the transaction guard was removed", proposed: () => "Remove the transaction guard" },
  fallback_handler_set: { headline: "Fallback handler changed", done: (name) => `fallback handler set to ${name}`, proposed: (name) => `Set the fallback handler to ${name}` },
  hash_approved: { headline: "Hash approved", done: () => "a transaction hash was approved on-chain", proposed: () => "Approve a transaction hash on-chain" },
  other: { headline: "Safe setting changed", done: () => "a setting of the Safe was changed", proposed: () => "Change a setting of the Safe" },
};

const approvals = (threshold: number) => `${threshold} approval${threshold === 1 ? "" : "s"}`;

/**
 * One action in a treasurer's words: "250 USDC to *Acme* (`0x…`)";
 * done: "*Dana* (`0x…`) is now an owner; 2 approvals needed";
 * proposed: "Add *Dana* (`0x…`) as an owner; 2 approvals needed after".
 */
export function safeTxActionText(action: SafeTxAction, context: SafeTxTextContext, mood: SafeTxMood = "done"): string {
  const done = mood === "done";
  switch (action.kind) {
    case "payment": {
      const token = context.token(action.token);
      return `${formatAmountForPeople(action.amount, token.decimals)} ${token.symbol} to ${context.name(action.to)}`;
    }
    case "owner_added":
      return done
        ? `${context.name(action.owner)} is now an owner; ${approvals(action.threshold)} needed`
        : `Add ${context.name(action.owner)} as an owner; ${approvals(action.threshold)} needed after`;
    case "owner_removed":
      return done
        ? `${context.name(action.owner)} is no longer an owner; ${approvals(action.threshold)} needed`
        : `Remove owner ${context.name(action.owner)}; ${approvals(action.threshold)} needed after`;
    case "owner_replaced":
      return done
        ? `${context.name(action.oldOwner)} replaced as owner by ${context.name(action.newOwner)}`
        : `Replace owner ${context.name(action.oldOwner)} by ${context.name(action.newOwner)}`;
    case "threshold_changed":
      return done ? `${approvals(action.threshold)} needed from now on` : `Require ${approvals(action.threshold)} from now on`;
    case "safe_setting": {
      const name = action.address ? context.name(action.address) : null;
      return done ? settingWords[action.setting].done(name) : settingWords[action.setting].proposed(name);
    }
    case "contract_call": {
      const what = action.delegate ? "delegatecall (runs another contract's code as the Safe) to" : "call to";
      const fn = action.selector ? ` (function \`${action.selector}\`)` : "";
      const native = context.token(null);
      const value = action.value > 0n ? `, sending ${formatAmountForPeople(action.value, native.decimals)} ${native.symbol}` : "";
      const text = `${what} ${context.name(action.to)}${fn}${value}`;
      return done ? text : `${text[0].toUpperCase()}${text.slice(1)}`;
    }
  }
}

/** A card's title for a proposal that is not a payment: "Owner change", "Contract call"… */
export function safeTxProposalTitle(description: SafeTxDescription): string {
  const titles: Record<SafeTxDescription["kind"], string> = {
    rejection: "Rejection",
    payment: "Payment proposal",
    owner_change: "Owner change",
    safe_setting: "Safe settings change",
    contract_call: "Contract call",
    mixed: "Safe transaction",
  };
  return titles[description.kind];
}

/** The headline of a description: "Payment sent", "Owner added", "Rejection executed", "Contract call"… */
export function safeTxHeadline(description: SafeTxDescription): { emoji: string; headline: string } {
  const [first] = description.actions;
  switch (description.kind) {
    case "rejection":
      return { emoji: ":no_entry:", headline: "Rejection executed" };
    case "payment":
      return { emoji: ":white_check_mark:", headline: description.actions.length > 1 ? "Payments sent" : "Payment sent" };
    case "owner_change": {
      if (description.actions.length > 1) return { emoji: ":key:", headline: "Owners changed" };
      const words = { owner_added: "Owner added", owner_removed: "Owner removed", owner_replaced: "Owner replaced", threshold_changed: "Threshold changed" } as const;
      return { emoji: ":key:", headline: words[first.kind as keyof typeof words] ?? "Owners changed" };
    }
    case "safe_setting":
      return { emoji: ":gear:", headline: description.actions.length === 1 && first.kind === "safe_setting" ? settingWords[first.setting].headline : "Safe settings changed" };
    case "contract_call":
      return description.actions.some((action) => action.kind === "contract_call" && action.delegate)
        ? { emoji: ":warning:", headline: "Delegatecall executed" }
        : { emoji: ":gear:", headline: "Contract call executed" };
    case "mixed":
      return { emoji: ":white_check_mark:", headline: "Safe transaction executed" };
  }
}

/** What the transaction does, after its headline: its actions joined, or what a rejection of `nonce` means. */
export function safeTxParts(description: SafeTxDescription, nonce: number | string, context: SafeTxTextContext, mood: SafeTxMood = "done"): string[] {
  if (description.kind === "rejection")
    return mood === "done"
      ? [`nonce ${nonce} is used up by a zero-value transaction, so nothing else proposed on nonce ${nonce} can run`]
      : [`Use up nonce ${nonce} with a zero-value transaction, so nothing else proposed on nonce ${nonce} can run`];
  return description.actions.map((action) => safeTxActionText(action, context, mood));
}
