import type { ReadableDatabase } from "../../db/handle.ts";
import { readCheckpoint } from "../../db/chain-mirror/read.ts";
import { readMeta } from "../../db/meta.ts";
import { forSafe, listSafes, type RegisteredSafe } from "../../db/safes.ts";
import { listInstallations } from "../../db/installations.ts";
import { rpcOrigin } from "./rpc-origin.ts";
import { describeWorkspace } from "./workspaces.ts";

export type SafeSummary = RegisteredSafe & {
  /** "1.4.1", when recorded (by `safes add`, or once the service has run it). */
  version: string | null;
  flavour: "L1" | "L2" | null;
  /** The last block its indexer stored; null before its first batch. */
  indexedBlock: number | null;
  /** Where it is read: "RPC_URL" (the deployment's), or its own RPC's origin (never a path or key). */
  rpc: string;
  /** The workspace it belongs to as an operator reads it: `home`, or the team id with the team's name when known. */
  workspaceName: string;
};

/** Every Safe the deployment runs, with what is recorded about each, in the order they were added. */
export function summarizeSafes(db: ReadableDatabase): SafeSummary[] {
  const installed = listInstallations(db);
  return listSafes(db).map((safe) => {
    const bound = forSafe(db, safe.id);
    return {
      ...safe,
      version: readMeta(bound, "safe_version") ?? null,
      flavour: (readMeta(bound, "safe_flavour") as "L1" | "L2" | undefined) ?? null,
      indexedBlock: readCheckpoint(bound)?.blockNumber ?? null,
      rpc: safe.rpcUrl ? rpcOrigin(safe.rpcUrl) : "RPC_URL",
      workspaceName: describeWorkspace(safe.workspace, installed),
    };
  });
}
