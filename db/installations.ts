import { readRow, statement } from "./connection.ts";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";

/**
 * Slack workspaces that installed the app (`slack_installations`, migration
 * 013). This module is the only reader and writer of that table. Rows hold bot
 * tokens: callers never log what these functions return.
 */

/** A stored installation: the workspace, its bot, and Slack's whole installation object. */
export type StoredInstallation = {
  teamId: string;
  enterpriseId: string | null;
  teamName: string | null;
  botToken: string;
  botUserId: string | null;
  botId: string | null;
  /** Slack's installation object as `@slack/oauth` built it (JSON-decoded). */
  installation: Record<string, unknown>;
  installedAt: number;
};

type InstallationRow = {
  team_id: string;
  enterprise_id: string | null;
  team_name: string | null;
  bot_token: string;
  bot_user_id: string | null;
  bot_id: string | null;
  installation: string;
  installed_at: number;
};

const toInstallation = (row: InstallationRow): StoredInstallation => ({
  teamId: row.team_id,
  enterpriseId: row.enterprise_id,
  teamName: row.team_name,
  botToken: row.bot_token,
  botUserId: row.bot_user_id,
  botId: row.bot_id,
  installation: JSON.parse(row.installation) as Record<string, unknown>,
  installedAt: Number(row.installed_at),
});

/**
 * Stores a workspace's installation, replacing an earlier one of the same
 * workspace (a reinstall brings a new token). `now` in ms.
 */
export function saveInstallation(
  db: TreasuryDatabase,
  installation: { teamId: string; enterpriseId?: string | null; teamName?: string | null; botToken: string; botUserId?: string | null; botId?: string | null; installation: unknown },
  now: number,
): void {
  statement(
    db,
    `INSERT INTO slack_installations (team_id, enterprise_id, team_name, bot_token, bot_user_id, bot_id, installation, installed_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (team_id) DO UPDATE SET enterprise_id = excluded.enterprise_id, team_name = excluded.team_name, bot_token = excluded.bot_token,
       bot_user_id = excluded.bot_user_id, bot_id = excluded.bot_id, installation = excluded.installation, updated_at = excluded.updated_at`,
  ).run(
    installation.teamId,
    installation.enterpriseId ?? null,
    installation.teamName ?? null,
    installation.botToken,
    installation.botUserId ?? null,
    installation.botId ?? null,
    JSON.stringify(installation.installation),
    now,
    now,
  );
}

/** The installation of this workspace (team id), if it installed the app. */
export function readInstallation(db: ReadableDatabase, teamId: string): StoredInstallation | undefined {
  const row = statement(db, installationSql).get(teamId) as InstallationRow | undefined;
  return row && toInstallation(row);
}

/** `readInstallation` without holding the process while PostgreSQL answers (a request's authorization). */
export async function loadInstallation(db: ReadableDatabase, teamId: string): Promise<StoredInstallation | undefined> {
  const row = (await readRow(db, installationSql, teamId)) as InstallationRow | undefined;
  return row && toInstallation(row);
}

const installationSql = "SELECT * FROM slack_installations WHERE team_id = ?";

/** Forgets a workspace's installation (app uninstalled or tokens revoked). Returns true when one was stored. */
export function deleteInstallation(db: TreasuryDatabase, teamId: string): boolean {
  return statement(db, "DELETE FROM slack_installations WHERE team_id = ?").run(teamId).changes > 0;
}

/** A workspace that installed the app, as an operator may see it: never its token. */
export type InstalledWorkspace = { teamId: string; teamName: string | null; enterpriseId: string | null; installedAt: number };

/** The workspaces that installed the app, oldest first, without their tokens. `installedAt` in ms. */
export function listInstallations(db: ReadableDatabase): InstalledWorkspace[] {
  const rows = statement(db, "SELECT team_id, team_name, enterprise_id, installed_at FROM slack_installations ORDER BY installed_at, team_id").all() as {
    team_id: string;
    team_name: string | null;
    enterprise_id: string | null;
    installed_at: number;
  }[];
  return rows.map((row) => ({ teamId: row.team_id, teamName: row.team_name, enterpriseId: row.enterprise_id, installedAt: Number(row.installed_at) }));
}
