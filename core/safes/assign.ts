import type { TreasuryDatabase } from "../../db/handle.ts";
import { assignSafeToWorkspace, type RegisteredSafe } from "../../db/safes.ts";
import { chooseSafe, UnknownSafeError } from "./choose.ts";
import { resolveWorkspace } from "./workspaces.ts";

export type AssignSafeParameters = {
  /** The Safe's name (case aside) or address. */
  safe: string;
  /** `home`, a team id that installed the app, or its team name. */
  workspace: string;
};

export type AssignSafeReturnType = { safe: RegisteredSafe; from: string; moved: boolean };

/**
 * Gives a registered Safe to a workspace: from then on only that workspace
 * lists, binds and asks about it. Throws `UnknownSafeError` for a Safe nobody
 * registered, `AmbiguousSafeNameError` for a name several workspaces use,
 * `UnknownWorkspaceError` for a workspace that did not install the app, and
 * `SafeNameTakenError` when that workspace already has a Safe of that name.
 * Nothing changes when it throws; `moved` is false when it was there already.
 */
export function assignSafe(db: TreasuryDatabase, { safe: wanted, workspace: given }: AssignSafeParameters): AssignSafeReturnType {
  if (wanted.trim() === "") throw new UnknownSafeError("Name the Safe to move, by its name or address (see `treasury safes`).");
  const workspace = resolveWorkspace(db, given);
  const safe = chooseSafe(db, wanted)!;
  if (safe.workspace === workspace) return { safe, from: safe.workspace, moved: false };
  return { safe: assignSafeToWorkspace(db, safe.id, workspace), from: safe.workspace, moved: true };
}
