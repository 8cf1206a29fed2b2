// The indexer as its own process, for the crash test: `node --import tsx test/indexer/crash-child.ts`
// with RPC_URL, DATABASE_PATH, DEPLOYMENT_FILE and INDEXER_RANGE in the environment. Prints
// "indexing" when it starts and "batch N" after each committed batch.
import { createIndexer } from "../../indexer/indexer.ts";
import { closeDatabase } from "../../db/open.ts";
import { openSafeDatabase } from "../helpers/safe-database.ts";
import { createChainClient } from "../../core/chain.ts";
import { loadConfig } from "../../app/config.ts";
import { readDeployment } from "../../core/deployment.ts";
import { systemClock } from "../../core/clock.ts";
import { testChainSafe } from "../helpers/context.ts";
import { createLogger } from "../../core/logger.ts";

const config = loadConfig();
const deployment = readDeployment(config.DEPLOYMENT_FILE)!;
const rpcUrl = config.RPC_URL!;
const db = openSafeDatabase(config.DATABASE_PATH, { chainId: deployment.chainId, address: deployment.safe.address });
const ctx = {
  config,
  chainId: deployment.chainId,
  rpcUrl,
  safeAddress: deployment.safe.address,
  client: createChainClient({ rpcUrl, chainId: deployment.chainId }),
  db,
  safe: testChainSafe({ deployment }),
  tokens: deployment.tokens,
  logger: createLogger("silent"),
  now: systemClock,
};
const range = Number(process.env.INDEXER_RANGE ?? 5);
const indexer = createIndexer({
  ctx,
  progress: "off",
  initialRange: range,
  maxRange: range,
  onBatch: ({ toBlock }) => void process.stdout.write(`batch ${toBlock}\n`),
});
process.stdout.write("indexing\n");
const result = await indexer.runOnce();
closeDatabase(db);
process.stdout.write(`done ${result.toBlock}\n`);
