import { webApi, type Authorize } from "@slack/bolt";
import type { Installation, InstallationStore } from "@slack/oauth";
import { TreasuryError, shortMessageOf } from "../../core/errors.ts";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { deleteInstallation, saveInstallation } from "../../db/installations.ts";
import type { InstallationCache } from "./installations.ts";
import { homeWorkspace } from "../../db/safes.ts";
import type { Logger } from "../../core/logger.ts";

/**
 * Bolt's `authorize` for the one bot token: answers at once with the token
 * and, once known, the bot's ids from a single `auth.test`. The check runs in
 * the background and is retried (at most every 30 s) after a failure, so no
 * acknowledgement ever waits for Slack's Web API. (Bolt's own single-token
 * authorize either calls `auth.test` once at construction and keeps a failure
 * for ever, or – without token verification – calls it on every request.)
 */
export function botAuthorization({ client, token, logger }: { client: InstanceType<typeof webApi.WebClient>; token: string; logger: Logger }): {
  authorize: Authorize<boolean>;
  verify: () => Promise<void>;
} {
  let identity: { botId?: string; botUserId?: string } | undefined;
  let checking: Promise<void> | undefined;
  let lastFailure = 0;
  const verify = () =>
    (checking ??= client.auth
      .test({ token })
      .then((result) => {
        identity = { botId: result.bot_id, botUserId: result.user_id };
      })
      .catch((error) => {
        lastFailure = Date.now();
        logger.error({ err: shortMessageOf(error) }, "Slack auth.test failed: check SLACK_BOT_TOKEN (will try again)");
      })
      .finally(() => {
        checking = undefined;
      }));
  return {
    authorize: async () => {
      if (!identity && !checking && Date.now() - lastFailure > 30_000) void verify();
      return { botToken: token, ...identity };
    },
    verify,
  };
}

/** A workspace's request or job needs its bot token, but the workspace has not installed the app (or uninstalled it). */
export class WorkspaceNotInstalledError extends TreasuryError {
  override name = "WorkspaceNotInstalledError";
}

/** Enterprise Grid org-wide installs are not supported: each workspace installs the app itself. */
export class EnterpriseInstallError extends TreasuryError {
  override name = "EnterpriseInstallError";
}

export type CreateInstallationStoreParameters = {
  db: TreasuryDatabase;
  installations: InstallationCache;
  logger: Logger;
  /** SLACK_BOT_TOKEN, when set: the home workspace's bot, used for a team that has no installation stored. */
  homeBotToken?: string;
};

/**
 * `@slack/oauth`'s installation store over our database (db/installations.ts).
 * Stores one installation per workspace (team id); a reinstall replaces it.
 * Fetching answers the team's stored installation; a team without one gets
 * the home workspace's bot (SLACK_BOT_TOKEN) when it is set, and is refused
 * otherwise, so Bolt authorizes every request with its own workspace's token.
 * Tokens are never logged.
 */
export function createInstallationStore({ db, installations, logger, homeBotToken }: CreateInstallationStoreParameters): InstallationStore {
  return {
    storeInstallation: async (installation) => {
      if (installation.isEnterpriseInstall || !installation.team?.id)
        throw new EnterpriseInstallError("Install the app in each workspace; org-wide (Enterprise Grid) installs are not supported.");
      if (!installation.bot?.token) throw new WorkspaceNotInstalledError("Slack's install answer had no bot token; the app was not installed.");
      saveInstallation(
        db,
        {
          teamId: installation.team.id,
          enterpriseId: installation.enterprise?.id ?? null,
          teamName: installation.team.name ?? null,
          botToken: installation.bot.token,
          botUserId: installation.bot.userId ?? null,
          botId: installation.bot.id ?? null,
          installation,
        },
        Date.now(),
      );
      installations.forget(installation.team.id);
      logger.info({ team: installation.team.id }, "Slack workspace installed the app");
    },
    fetchInstallation: async (query) => {
      if (query.isEnterpriseInstall || !query.teamId) throw new EnterpriseInstallError("This app serves workspace installs only.");
      const stored = await installations.load(query.teamId);
      if (stored) return stored.installation as unknown as Installation<"v2", false>;
      if (!homeBotToken) throw new WorkspaceNotInstalledError(`The workspace ${query.teamId} has not installed this app.`);
      return {
        team: { id: query.teamId },
        enterprise: undefined,
        user: { token: undefined, scopes: undefined, id: "" },
        bot: { token: homeBotToken, scopes: [], id: "", userId: "" },
        authVersion: "v2",
        isEnterpriseInstall: false,
      } as Installation<"v2", false>;
    },
    deleteInstallation: async (query) => {
      if (query.teamId) installations.forget(query.teamId);
      if (query.teamId && deleteInstallation(db, query.teamId)) logger.info({ team: query.teamId }, "Slack workspace installation removed");
    },
  };
}

/**
 * The workspace a request from this team acts in: the team itself when it
 * installed the app, else the home workspace (`""`, SLACK_BOT_TOKEN's; only
 * such a team's requests get past authorization without an installation).
 */
export function workspaceOfTeam(installations: InstallationCache, teamId: string | undefined): string {
  return teamId && installations.read(teamId) ? teamId : homeWorkspace;
}

/** The bot token of a workspace: its installation's, or SLACK_BOT_TOKEN for the home workspace. Throws `WorkspaceNotInstalledError`. */
export function botTokenOf(installations: InstallationCache, workspace: string, homeBotToken: string | undefined): string {
  if (workspace === homeWorkspace) {
    if (!homeBotToken) throw new WorkspaceNotInstalledError("This app has no home workspace (SLACK_BOT_TOKEN is not set).");
    return homeBotToken;
  }
  const stored = installations.read(workspace);
  if (!stored) throw new WorkspaceNotInstalledError(`The workspace ${workspace} has not installed this app (or removed it).`);
  return stored.botToken;
}
