import { z } from "zod";
import { cliConfigSchema } from "../adapters/cli/config.ts";
import { slackConfigSchema, slackIsOn } from "../adapters/slack/config.ts";
import { assistantConfigSchema } from "../assistant/config.ts";
import { coreConfigSchema } from "../core/config.ts";
import { ConfigError } from "../core/errors.ts";
import { demoConfigSchema } from "../demo/config.ts";
import { devchainConfigSchema } from "../devchain/config.ts";
import { searchConfigSchema } from "../search/config.ts";
import { txServiceConfigSchema } from "../core/tx-service/config.ts";
import { roleConfigSchema } from "./role-config.ts";

/**
 * Every variable the program reads, with its default: each part declares its
 * own (core, embedded chain, demo, search, assistant, Slack, CLI) and they are
 * validated together, once. Names match `.env.example`.
 */
export const configSchema = z.object({
  ...coreConfigSchema.shape,
  ...devchainConfigSchema.shape,
  ...demoConfigSchema.shape,
  ...searchConfigSchema.shape,
  ...assistantConfigSchema.shape,
  ...slackConfigSchema.shape,
  ...cliConfigSchema.shape,
  ...txServiceConfigSchema.shape,
  ...roleConfigSchema.shape,
});

type Parsed = z.infer<typeof configSchema>;

export type Config = Parsed & {
  /** One line for each optional part that is off, and why. */
  disabledParts: string[];
};

/**
 * Reads and validates the configuration once. Throws a `ConfigError` whose
 * short message names the first bad variable and what is wrong with it.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = String(issue.path[0] ?? "configuration");
    const value = env[variable];
    const shown = value === undefined || /KEY|SECRET|TOKEN/.test(variable) ? "" : ` (${JSON.stringify(value)})`;
    throw new ConfigError(`${variable}${shown} ${issue.message}`);
  }
  const config = result.data;
  if (config.SAFE_OWNERS) {
    const owners = config.SAFE_OWNERS.split(",").length;
    if (config.SAFE_THRESHOLD > owners)
      throw new ConfigError(`SAFE_THRESHOLD (${config.SAFE_THRESHOLD}) is above the number of SAFE_OWNERS (${owners})`);
  }
  const disabledParts: string[] = [];
  if (!slackIsOn(config))
    disabledParts.push("Slack is off: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET) to turn it on");
  if (!config.OPENAI_BASE_URL || !config.OPENAI_MODEL)
    disabledParts.push("LLM answers are off (the assistant answers without one): set OPENAI_BASE_URL and OPENAI_MODEL");
  if (!config.RELAYER_PRIVATE_KEY)
    disabledParts.push("The relayer is off (owners execute from their own wallets): set RELAYER_PRIVATE_KEY to turn it on");
  if (!config.SAFE_TX_SERVICE_URL)
    disabledParts.push("The Safe Transaction Service sync is off (the Safe app sees proposals once executed): set SAFE_TX_SERVICE_URL to turn it on");
  return { ...config, disabledParts };
}
