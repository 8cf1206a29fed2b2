import { z } from "zod";
import { optionalText, url, wholeNumber } from "../../core/config-fields.ts";

/** The Slack app's variables. */
export const slackConfigSchema = z.object({
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_CHANNEL_ID: optionalText,
  SLACK_API_URL: url("Slack's Web API base address"),
  SLACK_NUDGE_AFTER_MINUTES: wholeNumber(60, 0),
  SLACK_PROPOSERS: z
    .enum(["anyone", "members", "owners"], { error: "is not one of anyone, members, owners" })
    .optional()
    .default("anyone"),
});

export type SlackConfig = z.infer<typeof slackConfigSchema>;
