import { homeWorkspaceWord, summarizeWorkspaces } from "../../../core/safes/workspaces.ts";
import { homeWorkspace } from "../../../db/safes.ts";
import { connections } from "../connections.ts";
import { fail, printJson, printTable } from "../output.ts";

export type WorkspacesOptions = { json?: boolean };

/**
 * `treasury workspaces [--json]`: the Slack workspaces this deployment serves
 * (the home one when it has Safes, then each that installed the app), with
 * their Safes. Never a token.
 */
export async function workspacesCommand(options: WorkspacesOptions): Promise<void> {
  let registry: Awaited<ReturnType<ReturnType<typeof connections>["openRegistry"]>> | undefined;
  try {
    registry = await connections().openRegistry();
    const workspaces = summarizeWorkspaces(registry.db);
    if (options.json) {
      printJson(workspaces.map((workspace) => ({ ...workspace, installedAt: workspace.installedAt === null ? null : new Date(workspace.installedAt).toISOString() })));
    } else if (workspaces.length === 0) {
      console.log("No workspace yet: install the app from a Slack workspace through the app's /slack/install page, or set SLACK_BOT_TOKEN for one home workspace.");
    } else {
      printTable([
        ["Workspace", "Name", "Installed", "Safes"],
        ...workspaces.map((workspace) => [
          workspace.teamId === homeWorkspace ? homeWorkspaceWord : workspace.teamId,
          workspace.teamName ?? (workspace.teamId === homeWorkspace ? "(SLACK_BOT_TOKEN's)" : ""),
          workspace.installedAt === null ? (workspace.teamId === homeWorkspace ? "" : "not installed") : new Date(workspace.installedAt).toISOString().slice(0, 16).replace("T", " "),
          workspace.safes.map((safe) => safe.name).join(", ") || "none yet",
        ]),
      ]);
    }
  } catch (error) {
    registry?.close();
    fail(error);
  }
  registry?.close();
}
