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
  /** PostgreSQL instead of the SQLite file: `postgres://user@host:5432/db`, optionally `?schema=name`. */
  DATABASE_URL: optionalText.refine((value) => value === undefined || /^postgres(ql)?:\/\/[^/]/i.test(value), "is not a postgres:// URL"),
  /** "off": vector search stays on the in-process binary index even where PostgreSQL offers pgvector ("auto", the default, uses it there). */
  PGVECTOR: z.enum(["auto", "off"], { error: "is not auto or off" }).optional().default("auto"),
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

/**
 * Where the records live: the PostgreSQL database of DATABASE_URL when it is set (with `pgvector=off`
 * added when PGVECTOR is off, so every process on it opens it the same way), else the SQLite file DATABASE_PATH.
 */
export function databaseLocation(config: Pick<CoreConfig, "DATABASE_PATH" | "DATABASE_URL"> & Partial<Pick<CoreConfig, "PGVECTOR">>): string {
  if (!config.DATABASE_URL) return config.DATABASE_PATH;
  if (config.PGVECTOR !== "off") return config.DATABASE_URL;
  const url = new URL(config.DATABASE_URL);
  url.searchParams.set("pgvector", "off");
  return url.toString();
}

/** The same, fit for logs and messages: a URL loses its password. */
export function databaseLabel(config: Pick<CoreConfig, "DATABASE_PATH" | "DATABASE_URL">): string {
  if (!config.DATABASE_URL) return config.DATABASE_PATH;
  const url = new URL(config.DATABASE_URL);
  url.password = "";
  return url.toString();
}
