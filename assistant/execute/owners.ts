import type { OwnerChangeRecord } from "../../db/ledger/types.ts";
import { parseOwnerList } from "./scope.ts";

export type OwnersState = { owners: { address: string; since: number | null }[]; threshold: number | null };

/** The owners and threshold after every change up to `at` (unix seconds, inclusive), replayed from the indexed events. */
export function ownersAt(changes: OwnerChangeRecord[], at?: number): OwnersState {
  let owners: { address: string; since: number | null }[] = [];
  let threshold: number | null = null;
  for (const change of changes) {
    if (at !== undefined && change.time > at) break;
    const has = (address: string) => owners.some((o) => o.address.toLowerCase() === address.toLowerCase());
    if (change.kind === "setup") owners = parseOwnerList(change.owners).map((address) => ({ address, since: change.time }));
    else if (change.kind === "added" && change.owner && !has(change.owner)) owners.push({ address: change.owner, since: change.time });
    else if (change.kind === "removed" && change.owner) owners = owners.filter((o) => o.address.toLowerCase() !== change.owner!.toLowerCase());
    if (change.threshold !== null) threshold = change.threshold;
  }
  return { owners, threshold };
}
