import type { TreasuryContext } from "../../core/context.ts";
import { InvalidInputError } from "../../core/errors.ts";
import { findSafeOfProposal } from "../../db/proposals.ts";
import { boundSafeId, findSafe, homeWorkspace, listSafes, readSafe, type RegisteredSafe } from "../../db/safes.ts";
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

/** The Slack workspace a treasury's Safe belongs to (`""`: the home workspace). */
export function workspaceOfTreasury(ctx: TreasuryContext): string {
  return safeOfTreasury(ctx)?.workspace ?? homeWorkspace;
}

/** The treasuries this app serves for one workspace, the default one first (one read of the registry, however many Safes are served). */
export function treasuriesOfWorkspace(deps: SlackDeps, workspace: string): TreasuryContext[] {
  const ids = new Set(listSafes(deps.ctx.db, { workspace }).map((safe) => safe.id));
  return [...deps.treasuries.values()].filter((ctx) => {
    const id = boundSafeId(ctx.db);
    return id === undefined ? workspace === homeWorkspace : ids.has(id);
  });
}

/**
 * The treasury a DM speaks for in a workspace: the default treasury when it
 * is the workspace's, else the workspace's only one; undefined when the
 * workspace has none or several (then a channel must be bound).
 */
export function defaultTreasuryOf(deps: SlackDeps, workspace: string): TreasuryContext | undefined {
  if (workspaceOfTreasury(deps.ctx) === workspace) return deps.ctx;
  const mine = treasuriesOfWorkspace(deps, workspace);
  return mine.length === 1 ? mine[0] : undefined;
}

/** SLACK_CHANNEL_ID, for the home workspace only (other workspaces bind their channels). */
export function defaultChannelOf(deps: SlackDeps, workspace: string): string | undefined {
  return workspace === homeWorkspace ? deps.settings.defaultChannel : undefined;
}

/** The treasury this app runs for a registered Safe, or undefined when the app does not serve it. */
export function treasuryOfSafe(deps: SlackDeps, safe: Pick<RegisteredSafe, "chainId" | "address">): TreasuryContext | undefined {
  return [...deps.treasuries.values()].find((ctx) => ctx.chainId === safe.chainId && ctx.safeAddress.toLowerCase() === safe.address.toLowerCase());
}

/**
 * The treasury a stored proposal belongs to (a card button acts on it
 * wherever it is clicked in its workspace), or undefined – also when the
 * proposal is another workspace's.
 */
export function treasuryOfProposal(deps: SlackDeps, safeTxHash: string, workspace: string): TreasuryContext | undefined {
  if (!/^0x[0-9a-fA-F]{64}$/.test(safeTxHash.trim())) return undefined;
  const safeId = findSafeOfProposal(deps.ctx.db, { safeTxHash });
  if (safeId === undefined) return undefined;
  const safe = readSafe(deps.ctx.db, safeId);
  return safe && safe.workspace === workspace ? treasuryOfSafe(deps, safe) : undefined;
}

/** True when this app serves more than one Safe in the treasury's workspace (answers then say which Safe they speak for). */
export function servesSeveralSafes(deps: SlackDeps, ctx: TreasuryContext = deps.ctx): boolean {
  return treasuriesOfWorkspace(deps, workspaceOfTreasury(ctx)).length > 1;
}

/** "the Safe *grants*" style words for a treasury, or its address when it has no registered name. */
export function safeWords(ctx: TreasuryContext): string {
  const safe = safeOfTreasury(ctx);
  return safe ? `the Safe *${safe.name}* (\`${ctx.safeAddress}\`)` : `the Safe \`${ctx.safeAddress}\``;
}

/**
 * The treasury `/treasury bind [name]` binds a channel to, among the
 * workspace's own Safes: the Safe named (by its registered name or address),
 * else the workspace's only one. Throws `InvalidInputError` naming the
 * workspace's Safes when the name is unknown to the workspace (another
 * workspace's Safe reads as unknown), when several are served and none is
 * named, or when the Safe is registered but this app does not serve it.
 * Nothing is bound then.
 */
export function treasuryToBind(deps: SlackDeps, wanted: string | undefined, workspace: string): TreasuryContext {
  const served = listSafes(deps.ctx.db, { workspace }).filter((safe) => treasuryOfSafe(deps, safe));
  if (wanted === undefined && served.length === 1) return treasuryOfSafe(deps, served[0])!;
  const names = served.map((safe) => `\`${safe.name}\``).join(", ") || "none yet";
  if (wanted === undefined)
    throw new InvalidInputError(
      served.length
        ? `This workspace has ${served.length} Safes (${names}): say which one this channel is for, e.g. \`/treasury bind ${served[0].name}\`. Nothing was bound.`
        : "This workspace has no Safe yet: ask the operator to add one for it. Nothing was bound.",
    );
  const safe = findSafe(deps.ctx.db, wanted, { workspace });
  if (!safe) throw new InvalidInputError(`No Safe is called "${wanted.slice(0, 60)}" here; the Safes are: ${names}. Nothing was bound.`);
  const ctx = treasuryOfSafe(deps, safe);
  if (!ctx) throw new InvalidInputError(`The Safe "${safe?.name ?? wanted}" is registered but this app does not serve it (restart the service after \`treasury safes add\`). Nothing was bound.`);
  return ctx;
}

/**
 * The channels a Safe's notifications go to: every channel bound to it, the
 * default channel (SLACK_CHANNEL_ID) first when it is bound to it. The
 * default treasury also gets the default channel while that is bound to
 * nothing. Never a channel bound to another Safe, nor one of another workspace.
 */
export function channelsOfTreasury(deps: SlackDeps, ctx: TreasuryContext): string[] {
  const workspace = workspaceOfTreasury(ctx);
  // Only channels bound in the Safe's own workspace: a stale binding in another one never gets its notifications.
  const bindings = listChannelBindings(deps.ctx.db, workspace);
  const mine = bindings.filter((binding) => binding.chainId === ctx.chainId && binding.safeAddress.toLowerCase() === ctx.safeAddress.toLowerCase()).map((binding) => binding.channelId);
  const home = defaultChannelOf(deps, workspace);
  if (home && ctx === deps.ctx && !bindings.some((binding) => binding.channelId === home)) mine.unshift(home);
  if (home && mine.includes(home)) return [home, ...mine.filter((channel) => channel !== home)];
  return mine;
}
