import { InvalidInputError } from "../errors.ts";
import type { ReadableDatabase } from "../../db/handle.ts";
import { findSafe, homeWorkspace, listSafes, type RegisteredSafe } from "../../db/safes.ts";

/** No registered Safe has the name or address asked for (another Safe is never used instead). */
export class UnknownSafeError extends InvalidInputError {
  override name = "UnknownSafeError";
}

/** Several Safes are registered and none was named. */
export class SafeNotChosenError extends InvalidInputError {
  override name = "SafeNotChosenError";
}

/** The Safes' names for a message; a name several workspaces use is followed by each one's workspace ("main (home)"). */
export function safeNames(safes: readonly RegisteredSafe[]): string {
  const shared = (name: string) => safes.filter((safe) => safe.name.toLowerCase() === name.toLowerCase()).length > 1;
  return safes.map((safe) => (shared(safe.name) ? `${safe.name} (${safe.workspace === homeWorkspace ? "home" : safe.workspace})` : safe.name)).join(", ");
}

/**
 * The registered Safe a command acts on: the one named (by name, case aside,
 * or address) when `wanted` is given, else the only one. Throws
 * `UnknownSafeError` for a name no Safe has, and `SafeNotChosenError`, listing
 * the names, when several are registered and none is named; never picks
 * another Safe than the one asked for (a name several workspaces use throws
 * `AmbiguousSafeNameError`, naming them: the address says which). Undefined when none is registered yet.
 */
export function chooseSafe(db: ReadableDatabase, wanted?: string): RegisteredSafe | undefined {
  const safes = listSafes(db);
  const names = safeNames(safes);
  if (wanted !== undefined && wanted.trim() !== "") {
    const found = findSafe(db, wanted);
    if (!found) throw new UnknownSafeError(`No Safe is called "${wanted.trim()}" here${safes.length ? `; the Safes are: ${names}` : ""}.`);
    return found;
  }
  if (safes.length > 1) throw new SafeNotChosenError(`This treasury runs ${safes.length} Safes (${names}): say which with --safe <name>.`);
  return safes[0];
}
