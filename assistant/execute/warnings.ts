import type { TreasuryContext } from "../../core/context.ts";
import { findStoredProposal } from "../../db/proposals.ts";
import type { ProposalRecord } from "../../db/ledger/types.ts";
import type { AssistantContext } from "../context.ts";
import type { WarningView } from "./types.ts";

/** The context has a chain (the service's): the live safety checks can run. */
function liveContext(ctx: AssistantContext): TreasuryContext | undefined {
  const candidate = ctx as Partial<TreasuryContext>;
  return candidate.client && candidate.safeAddress && candidate.safe ? (ctx as unknown as TreasuryContext) : undefined;
}

/**
 * The safety warnings signers see, for the pending proposals among these.
 * With a chain (the service) they are the live checks of core/safety (balance
 * with the other pending proposals, nonce, simulation, duplicates, payees);
 * without one (the CLI on a database alone) only the checks the stored history
 * can answer: first payment to an address, look-alike address, repeated
 * invoice number. The answer says which.
 */
export async function warningsFor(ctx: AssistantContext, records: ProposalRecord[]): Promise<{ source: "live" | "stored"; byHash: Map<string, WarningView[]> }> {
  const byHash = new Map<string, WarningView[]>();
  const pending = records.filter((r) => r.status === "pending");
  const live = liveContext(ctx);
  if (live) {
    try {
      const { getProposal } = await import("../../core/proposals/view.ts");
      for (const record of pending) byHash.set(record.safeTxHash, (await getProposal(live, record.safeTxHash)).warnings.map((w) => ({ code: w.code, message: w.message })));
      return { source: "live", byHash };
    } catch (error) {
      ctx.logger?.warn({ err: error instanceof Error ? error.message : String(error) }, "live safety checks failed; using the stored history");
    }
  }
  // Loaded only when asked for (core/safety brings the Safe contracts and simulation with it).
  const { payeeWarnings, invoiceWarnings } = await import("../../core/safety/warnings.ts");
  for (const record of pending) {
    const stored = findStoredProposal(ctx.db, record.safeTxHash);
    if (!stored) continue;
    byHash.set(record.safeTxHash, [...payeeWarnings(ctx.db, stored), ...invoiceWarnings(ctx.db, stored)].map((w) => ({ code: w.code, message: w.message })));
  }
  return { source: "stored", byHash };
}
