import { entryPoints, runNode } from "../../../helpers/processes.ts";
import { keyOf, type TreasuryFixture } from "../../../core/proposals/setup.ts";
import { databaseEnvironment } from "../../../helpers/database.ts";

export type CliRun = { code: number | null; out: string; err: string };

/**
 * The environment the `treasury` command gets in these tests: the test
 * treasury's chain, database and deployment, a relayer that is not an owner
 * (development account 0), quiet logs, and `member` as TREASURY_MEMBER when given.
 */
export function cliEnvironment(t: TreasuryFixture, member?: string): Record<string, string> {
  return {
    RPC_URL: t.chain.node.url,
    ...databaseEnvironment(t.ctx.config.DATABASE_PATH),
    DEPLOYMENT_FILE: t.chain.deploymentFile,
    RELAYER_PRIVATE_KEY: keyOf(0),
    PUBLIC_URL: "http://127.0.0.1:3999",
    LOG_LEVEL: "silent",
    ...(member ? { TREASURY_MEMBER: member } : {}),
  };
}

/** Runs the `treasury` command (bin/treasury.js) as a person would, and waits for it to exit. */
export async function runCli(env: Record<string, string>, args: string[]): Promise<CliRun> {
  const run = runNode(entryPoints.cli, args, env);
  const code = await run.exited;
  return { code, out: run.stdout(), err: run.stderr() };
}
