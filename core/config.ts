import { z } from "zod";
import { address, optionalText, port, privateKey, url } from "./config-fields.ts";

/** The core's variables: which chain and Safe, where the records live, where people reach the pages, and the relayer. */
export const coreConfigSchema = z.object({
  RPC_URL: url("for example http://127.0.0.1:8545"),
  CHAIN_ID: optionalText
    .transform((value) => (value === undefined ? undefined : Number(value)))
    .refine((value) => value === undefined || (Number.isInteger(value) && value > 0), "is not a chain id"),
  SAFE_ADDRESS: address,
  DATABASE_PATH: optionalText.transform((value) => value ?? "./data/treasury.db"),
  HOST: optionalText.transform((value) => value ?? "127.0.0.1"),
  PORT: port(3000),
  PUBLIC_URL: url("the address people open the review pages at"),
  /** Unset: the chain's default depth (see `ChainFacts`). */
  CONFIRMATIONS: optionalText
    .transform((value) => (value === undefined ? undefined : Number(value)))
    .refine((value) => value === undefined || (Number.isInteger(value) && value >= 0), "is not a whole number of at least 0"),
  EXPLORER_URL: url("a block explorer's base address"),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      error: "is not a log level (fatal, error, warn, info, debug, trace, silent)",
    })
    .optional()
    .default("info"),
  RELAYER_PRIVATE_KEY: privateKey,
});

export type CoreConfig = z.infer<typeof coreConfigSchema>;

/** The base address of the web pages, as people reach them. */
export function publicUrl(config: Pick<CoreConfig, "PUBLIC_URL" | "HOST" | "PORT">): string {
  return (config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/$/, "");
}
