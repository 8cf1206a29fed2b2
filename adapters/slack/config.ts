import { z } from "zod";
import { optionalText, url, wholeNumber } from "../../core/config-fields.ts";

/** The Slack app's variables. */
export const slackConfigSchema = z.object({
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText,
  /** OAuth installs in many workspaces (all three, or none): the app's client id and secret, and the secret that signs install states. */
  SLACK_CLIENT_ID: optionalText,
  SLACK_CLIENT_SECRET: optionalText,
  SLACK_STATE_SECRET: optionalText.refine((value) => value === undefined || value.length >= 16, "is too short (at least 16 characters)"),
  SLACK_CHANNEL_ID: optionalText,
  SLACK_API_URL: url("Slack's Web API base address"),
  SLACK_NUDGE_AFTER_MINUTES: wholeNumber(60, 0),
  SLACK_PROPOSERS: z
    .enum(["anyone", "members", "owners"], { error: "is not one of anyone, members, owners" })
    .optional()
    .default("anyone"),
});

export type SlackConfig = z.infer<typeof slackConfigSchema>;

/** The bot scopes an OAuth install asks for: what the adapter's commands, events and Web API calls need. */
export const slackBotScopes = [
  "commands",
  "chat:write",
  "users:read",
  "im:history",
  "im:write",
  "app_mentions:read",
  "channels:history",
  "groups:history",
  "reactions:read",
] as const;

/**
 * Whether the Slack app is on: a signing secret, and a bot token (one workspace)
 * or OAuth installs (many; a partial set turns it on too, so that the adapter
 * refuses it naming what is missing).
 */
export function slackIsOn(config: SlackConfig): boolean {
  return Boolean(config.SLACK_SIGNING_SECRET && (config.SLACK_BOT_TOKEN || oauthSettingsOf(config)));
}

/** Whether OAuth installs are configured: all three variables, or none (ConfigError-worthy mix: the names missing). */
export function oauthSettingsOf(config: SlackConfig): { clientId: string; clientSecret: string; stateSecret: string } | { missing: string[] } | undefined {
  const given = { SLACK_CLIENT_ID: config.SLACK_CLIENT_ID, SLACK_CLIENT_SECRET: config.SLACK_CLIENT_SECRET, SLACK_STATE_SECRET: config.SLACK_STATE_SECRET };
  const missing = Object.entries(given).filter(([, value]) => !value).map(([name]) => name);
  if (missing.length === 3) return undefined;
  if (missing.length) return { missing };
  return { clientId: config.SLACK_CLIENT_ID!, clientSecret: config.SLACK_CLIENT_SECRET!, stateSecret: config.SLACK_STATE_SECRET! };
}
