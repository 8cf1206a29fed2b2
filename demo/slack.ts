/** A Slack message reference made up for a replayed message: its `ts` and a permalink in Slack's format. */
export type SyntheticSlackMessage = { ts: string; permalink: string };

/**
 * The Slack `ts` and permalink a message posted at `at` (unix seconds) would
 * have. `sequence` keeps two messages of one second apart (Slack's ts is unique
 * per channel); a reply names its thread. Deterministic.
 */
export function slackMessage(channelId: string, at: number, sequence: number, threadTs?: string): SyntheticSlackMessage {
  const ts = `${at}.${String(100 + sequence).padStart(6, "0")}`;
  const base = `https://slack.com/archives/${channelId}/p${ts.replace(".", "")}`;
  return { ts, permalink: threadTs ? `${base}?thread_ts=${threadTs}&cid=${channelId}` : base };
}
