import { createPublicClient, createWalletClient, custom, type Address, type EIP1193Provider, type Hex } from "viem";
import type { Deployment } from "../core/deployment.ts";
import { checkChainIdentity } from "../indexer/chain-identity.ts";
import type { TreasuryDatabase } from "../db/handle.ts";
import { nonEmptyTreasuryTable } from "../db/summary.ts";
import { forSafe, registerSafe } from "../db/safes.ts";
import { chainFor, type ChainClient } from "../core/chain.ts";
import { coreConfigSchema, type CoreConfig } from "../core/config.ts";
import type { TreasuryContext } from "../core/context.ts";
import type { Logger } from "../core/logger.ts";
import { safeAbi } from "../core/safe/artifacts.ts";
import { describeTreasurySafe } from "../core/safe/setup.ts";
import { developmentAccount, developmentMnemonic } from "../devchain/accounts.ts";
import { ensureDeployment } from "../devchain/ensure-deployment.ts";
import { createChainClock, type ChainClock } from "./clock.ts";
import { FixtureError, fixtureTime, resolveFixtureAddress, ReplayError, type Fixture } from "./fixture.ts";
import { replayGenesisDate } from "./plan.ts";

export type OpenReplaySessionParameters = {
  fixture: Fixture;
  /** EIP-1193 provider of a fresh local chain (in-process is fastest). */
  provider: EIP1193Provider;
  /** The same chain's JSON-RPC URL (the indexer connects by URL). */
  rpcUrl: string;
  deploymentFile: string;
  /** The open database to replay into; it must hold no treasury yet. */
  db: TreasuryDatabase;
  /** Where it lives (for messages). */
  databasePath: string;
  logger: Logger;
  /** The configuration the core sees; by default the defaults. */
  config?: CoreConfig;
};

/**
 * Everything a replay step needs: the core's context (whose clock is the scenario's), the chain's clock, the
 * fixture's people as accounts and names, and a way to send a transaction at a given time.
 */
export type ReplaySession = {
  fixture: Fixture;
  ctx: TreasuryContext;
  client: ChainClient;
  clock: ChainClock;
  deployment: Deployment;
  safeAddress: Address;
  /** Sets the time every record the core writes from now on carries (unix s). */
  setScenarioTime: (at: number) => void;
  accountIndexOf: (memberId: string) => number;
  memberAccount: (memberId: string) => ReturnType<typeof developmentAccount>;
  account: (index: number) => ReturnType<typeof developmentAccount>;
  addressOf: (entryId: string) => Address;
  nameOf: (memberId: string) => string;
  /** Sends a transaction from development account `fromIndex` in a block at `at`; throws `ReplayError` if it reverts. */
  send: (fromIndex: number, at: number, request: { to: Address; data?: Hex; value?: bigint }, what: string) => Promise<Hex>;
};

/**
 * Checks that the chain and the database are fresh and the fixture's, deploys the treasury with the fixture's
 * first owners, threshold and tokens (and no money: deposits bring it), and returns the session the steps run in.
 * Throws `FixtureError` when the chain or the database is not one a replay can use.
 */
export async function openReplaySession(parameters: OpenReplaySessionParameters): Promise<ReplaySession> {
  const { fixture, databasePath } = parameters;
  const mnemonic = fixture.accounts.mnemonic ?? developmentMnemonic;
  const account = (index: number) => developmentAccount(index, mnemonic);
  const members = new Map(fixture.members.map((member) => [member.id, member]));
  const accountIndexOf = (memberId: string) => members.get(memberId)!.account;
  const memberAccount = (memberId: string) => account(accountIndexOf(memberId));

  const chainId = Number(await parameters.provider.request({ method: "eth_chainId" }));
  if (chainId !== fixture.chainId) throw new FixtureError(`The fixture is for chain ${fixture.chainId}, but the chain given is ${chainId}.`);

  const clock = await createChainClock(parameters.provider);
  const chain = chainFor(chainId, parameters.rpcUrl);
  // No transport retries: a simulation reverts on purpose, and a retried revert only waits (150 + 300 + 600 ms).
  const client = createPublicClient({ chain, transport: custom(clock.provider, { retryCount: 0 }), cacheTime: 0, pollingInterval: 20 }) as ChainClient;

  if (clock.lastBlockTime() >= fixtureTime(fixture.timeline[0].at))
    throw new ReplayError(
      `The chain's time (${new Date(clock.lastBlockTime() * 1000).toISOString()}) is past the fixture's first event; start it with initialDate ${replayGenesisDate(fixture).toISOString()}.`,
    );

  const holding = nonEmptyTreasuryTable(parameters.db);
  if (holding) throw new FixtureError(`${databasePath} already holds a treasury (${holding} is not empty); replay into a new database.`);
  const { deployment, deployed } = await ensureDeployment({
    provider: clock.provider,
    file: parameters.deploymentFile,
    owners: fixture.safe.owners.map((owner) => memberAccount(owner).address),
    threshold: fixture.safe.threshold,
    tokens: fixture.tokens,
    initialFunds: null,
  });
  const safeAddress = deployment.safe.address;
  // The replayed Safe is the database's (its first): everything the session writes is that Safe's.
  const db = forSafe(parameters.db, registerSafe(parameters.db, { chainId, address: safeAddress, now: clock.lastBlockTime() }).id);
  if (!deployed) {
    const nonce = await client.readContract({ address: safeAddress, abi: safeAbi, functionName: "nonce" });
    if (nonce !== 0n) throw new ReplayError(`The chain already holds this treasury with history (Safe nonce ${nonce}); a replay needs a fresh chain.`);
  }

  const config = parameters.config ?? coreConfigSchema.parse({ DATABASE_PATH: databasePath, LOG_LEVEL: "silent" });
  // The scenario's clock: every record the core writes carries the time of the step that wrote it.
  let scenarioTime = fixtureTime(fixture.timeline[0].at) - 3600;
  const ctx: TreasuryContext = {
    config,
    chainId,
    rpcUrl: parameters.rpcUrl,
    safeAddress,
    client,
    db,
    safe: await describeTreasurySafe(client, safeAddress, { creationBlock: deployment.safe.creationBlock }),
    tokens: deployment.tokens,
    logger: parameters.logger,
    now: () => scenarioTime,
  };
  await checkChainIdentity(db, client, safeAddress, databasePath);

  const send: ReplaySession["send"] = async (fromIndex, at, request, what) => {
    clock.moveTo(at);
    const wallet = createWalletClient({ account: account(fromIndex), chain, transport: custom(clock.provider) });
    const hash = await wallet.sendTransaction({ to: request.to, data: request.data, value: request.value ?? 0n });
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (receipt.status !== "success") throw new ReplayError(`${what}: the transaction ${hash} reverted.`);
    return hash;
  };

  return {
    fixture,
    ctx,
    client,
    clock,
    deployment,
    safeAddress,
    setScenarioTime: (at) => {
      scenarioTime = at;
    },
    accountIndexOf,
    memberAccount,
    account,
    addressOf: (entryId) => resolveFixtureAddress(fixture, entryId, (index) => account(index).address)!,
    nameOf: (memberId) => members.get(memberId)?.name ?? memberId,
    send,
  };
}
