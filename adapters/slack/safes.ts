import type { TreasuryContext } from "../../core/context.ts";
import { InvalidInputError } from "../../core/errors.ts";
import { chooseSafe } from "../../core/safes/choose.ts";
import { findSafeOfProposal } from "../../db/proposals.ts";
import { boundSafeId, listSafes, readSafe, type RegisteredSafe } from "../../db/safes.ts";
import { listChannelBindings } from "../../db/slack.ts";
import type { SlackDeps } from "./deps.ts";

/**
 * Which of the app's treasuries is which registered Safe. Each treasury's
 * database handle is bound to its Safe; these look-ups never pick another
 * Safe than the one asked for.
 */

/** The registered Safe a treasury runs (undefined only for a handle bound to none). */
export function safeOfTreasury(ctx: TreasuryContext): RegisteredSafe | undefined {
  const id = boundSafeId(ctx.db);
  return id === undefined ? undefined : readSafe(ctx.db, id);
}

/** The treasury this app runs for a registered Safe, or undefined when the app does not serve it. */
export function treasuryOfSafe(deps: SlackDeps, safe: Pick<RegisteredSafe, "chainId" | "address">): TreasuryContext | undefined {
  return [...deps.treasuries.values()].find((ctx) => ctx.chainId === safe.chainId && ctx.safeAddress.toLowerCase() === safe.address.toLowerCase());
}

/** The treasury a stored proposal belongs to (a card button acts on it wherever it is clicked), or undefined. */
export function treasuryOfProposal(deps: SlackDeps, safeTxHash: string): TreasuryContext | undefined {
  if (!/^0x[0-9a-fA-F]{64}$/.test(safeTxHash.trim())) return undefined;
  const safeId = findSafeOfProposal(deps.ctx.db, { safeTxHash });
  if (safeId === undefined) return undefined;
  const safe = readSafe(deps.ctx.db, safeId);
  return safe && treasuryOfSafe(deps, safe);
}

/** True when this app serves more than one Safe (answers then say which Safe they speak for). */
export function servesSeveralSafes(deps: SlackDeps): boolean {
  return deps.treasuries.size > 1;
}

/** "the Safe *grants*" style words for a treasury, or its address when it has no registered name. */
export function safeWords(ctx: TreasuryContext): string {
  const safe = safeOfTreasury(ctx);
  return safe ? `the Safe *${safe.name}* (\`${ctx.safeAddress}\`)` : `the Safe \`${ctx.safeAddress}\``;
}

/**
 * The treasury `/treasury bind [name]` binds a channel to: the Safe named (by
 * its registered name or address), else the only one the app serves. Throws
 * `InvalidInputError` naming the Safes when the name is unknown, when several
 * are served and none is named, or when the Safe is registered but this app
 * does not serve it. Nothing is bound then.
 */
export function treasuryToBind(deps: SlackDeps, wanted: string | undefined): TreasuryContext {
  if (wanted === undefined && deps.treasuries.size === 1) return deps.ctx;
  const served = listSafes(deps.ctx.db).filter((safe) => treasuryOfSafe(deps, safe));
  const names = served.map((safe) => `\`${safe.name}\``).join(", ");
  if (wanted === undefined)
    throw new InvalidInputError(`This treasury runs ${served.length} Safes (${names}): say which one this channel is for, e.g. \`/treasury bind ${served[0]?.name ?? "main"}\`. Nothing was bound.`);
  let safe: RegisteredSafe | undefined;
  try {
    safe = chooseSafe(deps.ctx.db, wanted);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new InvalidInputError(`No Safe is called "${wanted.slice(0, 60)}" here; the Safes are: ${names}. Nothing was bound.`);
    throw error;
  }
  const ctx = safe && treasuryOfSafe(deps, safe);
  if (!ctx) throw new InvalidInputError(`The Safe "${safe?.name ?? wanted}" is registered but this app does not serve it (restart the service after \`treasury safes add\`). Nothing was bound.`);
  return ctx;
}

/**
 * The channels a Safe's notifications go to: every channel bound to it, the
 * default channel (SLACK_CHANNEL_ID) first when it is bound to it. The
 * default treasury also gets the default channel while that is bound to
 * nothing. Never a channel bound to another Safe.
 */
export function channelsOfTreasury(deps: SlackDeps, ctx: TreasuryContext): string[] {
  const bindings = listChannelBindings(deps.ctx.db);
  const mine = bindings.filter((binding) => binding.chainId === ctx.chainId && binding.safeAddress.toLowerCase() === ctx.safeAddress.toLowerCase()).map((binding) => binding.channelId);
  const home = deps.settings.defaultChannel;
  if (home && ctx === deps.ctx && !bindings.some((binding) => binding.channelId === home)) mine.unshift(home);
  if (home && mine.includes(home)) return [home, ...mine.filter((channel) => channel !== home)];
  return mine;
}
