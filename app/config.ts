import { isAddress, getAddress, isHex } from "viem";
import { z } from "zod";
import { ConfigError } from "../core/errors.ts";

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const url = (what: string) =>
  optionalText.refine((value) => value === undefined || URL.canParse(value), `is not a URL (${what})`);

const address = optionalText
  .refine((value) => value === undefined || isAddress(value, { strict: false }), "is not an address (0x and 40 hex digits)")
  .transform((value) => (value === undefined ? undefined : getAddress(value)));

const privateKey = optionalText.refine(
  (value) => value === undefined || (isHex(value) && value.length === 66),
  "is not a private key (0x and 64 hex digits)",
);

const port = (fallback: number) =>
  optionalText
    .transform((value) => (value === undefined ? fallback : Number(value)))
    .refine((value) => Number.isInteger(value) && value >= 0 && value <= 65535, "is not a port (0 to 65535)");

const wholeNumber = (fallback: number, min = 0) =>
  optionalText
    .transform((value) => (value === undefined ? fallback : Number(value)))
    .refine((value) => Number.isInteger(value) && value >= min, `is not a whole number of at least ${min}`);

/** Every variable the program reads, with its default. Names match `.env.example`. */
export const configSchema = z.object({
  RPC_URL: url("for example http://127.0.0.1:8545"),
  CHAIN_ID: optionalText
    .transform((value) => (value === undefined ? undefined : Number(value)))
    .refine((value) => value === undefined || (Number.isInteger(value) && value > 0), "is not a chain id"),
  SAFE_ADDRESS: address,
  DATABASE_PATH: optionalText.transform((value) => value ?? "./data/treasury.db"),
  DEPLOYMENT_FILE: optionalText.transform((value) => value ?? "./data/deployment.json"),
  HOST: optionalText.transform((value) => value ?? "127.0.0.1"),
  PORT: port(3000),
  PUBLIC_URL: url("the address people open the review pages at"),
  LOCAL_CHAIN_PORT: port(8545),
  CHAIN_JOURNAL_FILE: optionalText.transform((value) => value ?? "./data/chain-journal.jsonl"),
  SAFE_OWNERS: optionalText.refine(
    (value) => value === undefined || value.split(",").every((owner) => isAddress(owner.trim(), { strict: false })),
    "is not a comma-separated list of addresses",
  ),
  SAFE_THRESHOLD: wholeNumber(2, 1),
  DEMO_FIXTURE: optionalText,
  CONFIRMATIONS: wholeNumber(0),
  EXPLORER_URL: url("a block explorer's base address"),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      error: "is not a log level (fatal, error, warn, info, debug, trace, silent)",
    })
    .optional()
    .default("info"),
  RELAYER_PRIVATE_KEY: privateKey,
  TREASURY_MEMBER: optionalText,
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
  OPENAI_BASE_URL: url("an OpenAI-compatible /v1 address"),
  OPENAI_API_KEY: optionalText,
  OPENAI_MODEL: optionalText,
  EMBEDDINGS_URL: url("an OpenAI-compatible /v1 address for embeddings"),
  EMBEDDINGS_MODEL: optionalText,
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
  if (!config.SLACK_BOT_TOKEN || !config.SLACK_SIGNING_SECRET)
    disabledParts.push("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to turn it on");
  if (!config.OPENAI_BASE_URL || !config.OPENAI_MODEL)
    disabledParts.push("LLM answers are off (the assistant answers without one): set OPENAI_BASE_URL and OPENAI_MODEL");
  if (!config.RELAYER_PRIVATE_KEY)
    disabledParts.push("The relayer is off (owners execute from their own wallets): set RELAYER_PRIVATE_KEY to turn it on");
  return { ...config, disabledParts };
}

/** The base address of the web pages, as people reach them. */
export function publicUrl(config: Pick<Config, "PUBLIC_URL" | "HOST" | "PORT">): string {
  return (config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/$/, "");
}
