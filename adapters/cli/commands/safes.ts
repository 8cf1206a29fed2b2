import { addSafe } from "../../../core/safes/add.ts";
import { assignSafe } from "../../../core/safes/assign.ts";
import { describeWorkspace, resolveWorkspace } from "../../../core/safes/workspaces.ts";
import { summarizeSafes } from "../../../core/safes/list.ts";
import { rpcOrigin } from "../../../core/safes/rpc-origin.ts";
import { InvalidInputError } from "../../../core/errors.ts";
import { listInstallations } from "../../../db/installations.ts";
import { homeWorkspace } from "../../../db/safes.ts";
import { createLogger } from "../../../core/logger.ts";
import { createCreationSearchProgress } from "../../../core/safe/creation-progress.ts";
import { connections } from "../connections.ts";
import { fail, printJson, printTable } from "../output.ts";
import { parseSafeAddress } from "./attach.ts";

export type SafesOptions = { json?: boolean };

/** `treasury safes [list] [--json]`: the Safes this deployment runs, with their workspace, chain, version and how far each is indexed (RPC origins only). */
export async function listSafesCommand(options: SafesOptions): Promise<void> {
  let registry: Awaited<ReturnType<ReturnType<typeof connections>["openRegistry"]>> | undefined;
  try {
    registry = await connections().openRegistry();
    const safes = summarizeSafes(registry.db);
    if (options.json) {
      printJson(safes.map(({ rpcUrl: _secret, ...safe }) => safe));
    } else if (safes.length === 0) {
      console.log("No Safe yet: run `npm start` (SAFE_ADDRESS and RPC_URL), or `treasury safes add <address> --rpc URL`.");
    } else {
      printTable([
        ["Name", "Workspace", "Chain", "Address", "Version", "Indexed up to", "RPC"],
        ...safes.map((safe) => [
          safe.name,
          safe.workspaceName,
          String(safe.chainId),
          safe.address,
          safe.version ? `${safe.version} ${safe.flavour ?? ""}`.trim() : (safe.flavour ?? "?"),
          safe.indexedBlock === null ? "not yet" : `block ${safe.indexedBlock}`,
          safe.rpc,
        ]),
      ]);
    }
  } catch (error) {
    registry?.close();
    fail(error);
  }
  registry?.close();
}

export type AddSafeOptions = { rpc?: string; name?: string; workspace?: string; json?: boolean };

/**
 * `treasury safes add <address> [--rpc URL] [--name NAME] [--workspace T…|home]`:
 * checks the Safe as `treasury attach` does, then registers it in the
 * database for that workspace (one that installed the app, or the home one);
 * `npm start` runs an indexer for it, and commands act on it with `--safe NAME`.
 */
export async function addSafeCommand(addressText: string | undefined, options: AddSafeOptions): Promise<void> {
  let registry: Awaited<ReturnType<ReturnType<typeof connections>["openRegistry"]>> | undefined;
  try {
    const address = parseSafeAddress(addressText);
    registry = await connections().openRegistry();
    // Checked before the chain is asked anything: a mistyped team id stops at once.
    const workspace = options.workspace === undefined ? homeWorkspace : resolveWorkspace(registry.db, options.workspace);
    const rpcUrl = options.rpc ?? registry.defaultRpcUrl;
    if (!rpcUrl) throw new InvalidInputError("Give the Safe's chain JSON-RPC address with --rpc URL (or set RPC_URL).");
    const logger = createLogger(process.env.LOG_LEVEL ?? "info", process.stderr as never);
    const onProgress = createCreationSearchProgress({ logger, mode: process.stderr.isTTY ? "bar" : options.json ? "off" : "log" });
    const { safe, inspected, added } = await addSafe(registry.db, {
      address,
      rpcUrl,
      keepRpcUrl: options.rpc !== undefined && options.rpc !== registry.defaultRpcUrl,
      name: options.name,
      now: Math.floor(Date.now() / 1000),
      workspace,
      onProgress,
    });
    // A deployment of one workspace never hears of workspaces.
    const where = safe.workspace === homeWorkspace && options.workspace === undefined ? undefined : describeWorkspace(safe.workspace, listInstallations(registry.db));
    if (options.json)
      printJson({ added, name: safe.name, workspace: safe.workspace, chainId: safe.chainId, address: safe.address, version: inspected.version, flavour: inspected.flavour, creationBlock: inspected.creationBlock });
    else if (!added)
      console.log(
        `${safe.address} on chain ${safe.chainId} is already a Safe of this treasury, named "${safe.name}"${where ? `, in workspace ${where}` : ""}` +
          (safe.workspace === workspace ? "." : `; move it with \`treasury safes assign ${safe.name} --workspace ${options.workspace}\`.`),
      );
    else
      console.log(
        `Added "${safe.name}"${where ? ` to workspace ${where}` : ""}: Safe ${safe.address}, ${inspected.version} ${inspected.flavour}, on chain ${safe.chainId} (${inspected.chain.name}), ` +
          `read through ${safe.rpcUrl ? rpcOrigin(safe.rpcUrl) : "RPC_URL"}, created in block ${inspected.creationBlock}.\n` +
          `\`npm start\` indexes it from there; act on it with --safe ${safe.name}.`,
      );
  } catch (error) {
    registry?.close();
    fail(error);
  }
  registry?.close();
}

export type AssignSafeOptions = { workspace: string; json?: boolean };

/**
 * `treasury safes assign <name|address> --workspace T…|home`: gives a
 * registered Safe to another workspace; from then on only that workspace
 * lists, binds and asks about it (the running service sees it at once).
 */
export async function assignSafeCommand(safeText: string, options: AssignSafeOptions): Promise<void> {
  let registry: Awaited<ReturnType<ReturnType<typeof connections>["openRegistry"]>> | undefined;
  try {
    registry = await connections().openRegistry();
    const { safe, from, moved } = assignSafe(registry.db, { safe: safeText, workspace: options.workspace });
    const installed = listInstallations(registry.db);
    if (options.json) printJson({ moved, name: safe.name, chainId: safe.chainId, address: safe.address, workspace: safe.workspace, from });
    else if (!moved) console.log(`"${safe.name}" is already in workspace ${describeWorkspace(safe.workspace, installed)}; nothing changed.`);
    else console.log(`Moved "${safe.name}" (${safe.address}) from workspace ${describeWorkspace(from, installed)} to ${describeWorkspace(safe.workspace, installed)}.`);
  } catch (error) {
    registry?.close();
    fail(error);
  }
  registry?.close();
}
