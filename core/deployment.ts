import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { getAddress, isAddress, type Address } from "viem";
import { z } from "zod";
import { ConfigError } from "./errors.ts";

const address = z.string().refine((value) => isAddress(value, { strict: false }), "not an address").transform((value) => getAddress(value));

const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  deploymentBlock: z.number().int().nonnegative(),
  contracts: z.object({
    safeSingleton: address,
    safeProxyFactory: address,
    multiSend: address,
    multiSendCallOnly: address,
    fallbackHandler: address,
    signMessageLib: address,
    createCall: address,
    simulateTxAccessor: address,
  }),
  safe: z.object({
    address,
    owners: z.array(address),
    threshold: z.number().int().positive(),
    creationBlock: z.number().int().nonnegative(),
  }),
  tokens: z.array(
    z.object({ address, symbol: z.string(), name: z.string(), decimals: z.number().int().min(0).max(255) }),
  ),
});

/** What the local chain set-up deployed; every part of the program reads it. */
export type Deployment = z.infer<typeof deploymentSchema>;
export type DeployedToken = Deployment["tokens"][number];

/** Reads the deployment file, or returns undefined when there is none. Throws `ConfigError` when it is damaged. */
export function readDeployment(path: string): Deployment | undefined {
  if (!existsSync(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new ConfigError(`The deployment file ${path} is not valid JSON; delete it to deploy again.`, { cause });
  }
  const result = deploymentSchema.safeParse(json);
  if (!result.success)
    throw new ConfigError(`The deployment file ${path} is damaged (${result.error.issues[0].path.join(".")}); delete it to deploy again.`);
  return result.data;
}

/** Writes the deployment file atomically (a crash leaves the old file or the new one, never half). */
export function writeDeployment(path: string, deployment: Deployment): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(deployment, null, 2)}\n`);
  renameSync(temporary, path);
}

/** Finds a deployed token by symbol or address, case-insensitively. */
export function findToken(deployment: Pick<Deployment, "tokens">, symbolOrAddress: string): DeployedToken | undefined {
  const wanted = symbolOrAddress.toLowerCase();
  return deployment.tokens.find((token) => token.symbol.toLowerCase() === wanted || token.address.toLowerCase() === wanted);
}

export type { Address };
