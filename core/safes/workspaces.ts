import type { ReadableDatabase } from "../../db/handle.ts";
import { listInstallations, type InstalledWorkspace } from "../../db/installations.ts";
import { homeWorkspace, listSafes, type RegisteredSafe } from "../../db/safes.ts";
import { InvalidInputError } from "../errors.ts";

/** A workspace was named that neither installed the app here nor is the home workspace. */
export class UnknownWorkspaceError extends InvalidInputError {
  override name = "UnknownWorkspaceError";
}

/** What an operator types for the home workspace (SLACK_BOT_TOKEN's, `""` in the database). */
export const homeWorkspaceWord = "home";

/**
 * The workspace (team id; `""` for the home one) an operator means: `home`,
 * a team id that installed the app, or the name of exactly one such team
 * (case aside). Throws `UnknownWorkspaceError` otherwise, listing the
 * installed workspaces and saying how a workspace installs the app.
 */
export function resolveWorkspace(db: ReadableDatabase, given: string): string {
  const wanted = given.trim();
  if (wanted === "" || wanted.toLowerCase() === homeWorkspaceWord) return homeWorkspace;
  const installed = listInstallations(db);
  const byId = installed.find((workspace) => workspace.teamId === wanted);
  if (byId) return byId.teamId;
  const byName = installed.filter((workspace) => workspace.teamName?.toLowerCase() === wanted.toLowerCase());
  if (byName.length === 1) return byName[0].teamId;
  if (byName.length > 1)
    throw new UnknownWorkspaceError(`${byName.length} installed workspaces are called "${wanted}" (${byName.map((workspace) => workspace.teamId).join(", ")}): give the team id.`);
  const known = installed.map(describeInstalled).join(", ");
  throw new UnknownWorkspaceError(
    `No workspace "${wanted.slice(0, 40)}" has installed the app here (${known ? `installed: ${known}` : "none has yet"}): ` +
      `install it from that workspace through the app's /slack/install page first, or use --workspace ${homeWorkspaceWord}.`,
  );
}

const describeInstalled = (workspace: InstalledWorkspace) => (workspace.teamName ? `${workspace.teamId} (${workspace.teamName})` : workspace.teamId);

/** How a workspace is shown to an operator: `home`, or its team id with its name when the installation recorded one. */
export function describeWorkspace(workspace: string, installed: readonly InstalledWorkspace[]): string {
  if (workspace === homeWorkspace) return homeWorkspaceWord;
  const installation = installed.find((candidate) => candidate.teamId === workspace);
  return installation ? describeInstalled(installation) : `${workspace} (not installed)`;
}

export type WorkspaceSummary = {
  /** The team id; `""` for the home workspace. */
  teamId: string;
  teamName: string | null;
  /** Ms since the epoch; null for the home workspace, and for one whose installation is gone (its Safes stay assigned to it). */
  installedAt: number | null;
  safes: Pick<RegisteredSafe, "name" | "chainId" | "address">[];
};

/**
 * Every workspace an operator looks after, with its Safes: the home workspace
 * when it has Safes, each installed workspace (oldest install first), and any
 * workspace that still has Safes though its installation is gone. Never a token.
 */
export function summarizeWorkspaces(db: ReadableDatabase): WorkspaceSummary[] {
  const safes = listSafes(db);
  const installed = listInstallations(db);
  const safesOf = (teamId: string) => safes.filter((safe) => safe.workspace === teamId).map(({ name, chainId, address }) => ({ name, chainId, address }));
  const summaries: WorkspaceSummary[] = [];
  if (safes.some((safe) => safe.workspace === homeWorkspace)) summaries.push({ teamId: homeWorkspace, teamName: null, installedAt: null, safes: safesOf(homeWorkspace) });
  for (const workspace of installed) summaries.push({ teamId: workspace.teamId, teamName: workspace.teamName, installedAt: workspace.installedAt, safes: safesOf(workspace.teamId) });
  const orphaned = [...new Set(safes.map((safe) => safe.workspace))].filter((teamId) => teamId !== homeWorkspace && !installed.some((workspace) => workspace.teamId === teamId));
  for (const teamId of orphaned) summaries.push({ teamId, teamName: null, installedAt: null, safes: safesOf(teamId) });
  return summaries;
}
