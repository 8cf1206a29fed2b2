import type { Address } from "viem";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { writeMeta } from "../../db/meta.ts";
import { recordSafeCreationBlock } from "../../db/safe-chain-record.ts";
import { findSafeOnChain, forSafe, registerSafe, type RegisteredSafe } from "../../db/safes.ts";
import { InvalidInputError } from "../errors.ts";
import type { CreationSearchProgress } from "../safe/creation-block.ts";
import { inspectSafe, type InspectSafeReturnType } from "../safe/inspect.ts";

export type AddSafeParameters = {
  address: Address;
  /** The chain's JSON-RPC the Safe is read through. */
  rpcUrl: string;
  /** Stored with the Safe (it is read through an RPC of its own); false: the deployment's RPC_URL. */
  keepRpcUrl: boolean;
  name?: string;
  /** Unix seconds. */
  now: number;
  /** The workspace (team id, checked with `resolveWorkspace`) it belongs to; default the home workspace. */
  workspace?: string;
  onProgress?: (progress: CreationSearchProgress) => void;
};

export type AddSafeReturnType = { safe: RegisteredSafe; inspected: InspectSafeReturnType; added: boolean };

/** A name `--safe` can take: letters, digits, '.', '_' and '-', not an address's 0x start. */
export function checkSafeName(name: string): string {
  const trimmed = name.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/.test(trimmed) || /^0x/i.test(trimmed))
    throw new InvalidInputError(`"${trimmed.slice(0, 50)}" cannot name a Safe: use 1 to 40 letters, digits, '.', '_' or '-' (not starting with 0x).`);
  return trimmed;
}

/**
 * Adds a Safe to the deployment: checks it as `treasury attach` does (a Safe
 * of a supported version on that RPC; one-line errors otherwise), registers
 * it, and records what it is (chain, version, flavour, creation block) so its
 * indexer starts from its creation. A Safe already registered is left as it
 * is (`added` false), in its own workspace. Throws `SafeNameTakenError` when the
 * name is another Safe's of the same workspace. Its rows start empty: `npm start` or `treasury index --safe NAME` fills them.
 */
export async function addSafe(db: TreasuryDatabase, { address, rpcUrl, keepRpcUrl, name, now, workspace, onProgress }: AddSafeParameters): Promise<AddSafeReturnType> {
  const chosenName = name === undefined ? undefined : checkSafeName(name);
  const inspected = await inspectSafe({ rpcUrl, address, onProgress });
  const existing = findSafeOnChain(db, inspected.chainId, inspected.address);
  if (existing) return { safe: existing, inspected, added: false };
  const safe = registerSafe(db, { chainId: inspected.chainId, address: inspected.address, name: chosenName, rpcUrl: keepRpcUrl ? rpcUrl : undefined, now, workspace });
  const bound = forSafe(db, safe.id);
  writeMeta(bound, "chain_id", String(inspected.chainId));
  writeMeta(bound, "safe_address", inspected.address);
  writeMeta(bound, "safe_version", inspected.version);
  writeMeta(bound, "safe_flavour", inspected.flavour);
  recordSafeCreationBlock(bound, inspected.creationBlock);
  return { safe, inspected, added: true };
}
