import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWalletClient, custom, parseEther, type Address } from "viem";
import { hardhat } from "viem/chains";
import { loadConfig } from "../../../app/config.ts";
import { connectTreasury } from "../../../app/connect.ts";
import type { TreasuryContext } from "../../../core/context.ts";
import { createLogger } from "../../../core/logger.ts";
import { executeProposal } from "../../../core/proposals/execute.ts";
import { proposePayment } from "../../../core/proposals/propose.ts";
import { submitSignature } from "../../../core/proposals/signatures.ts";
import { getProposal, safeTxTypedData } from "../../../core/proposals/view.ts";
import { closeDatabase } from "../../../db/open.ts";
import { openDatabase, databaseEnvironment } from "../../helpers/database.ts";
import { developmentAccount, developmentPrivateKey } from "../../../devchain/accounts.ts";
import { createSafe } from "../../../devchain/create-safe.ts";
import { startLocalNode, type LocalNode } from "../../../devchain/node.ts";

const [ana, ben, chen] = [1, 2, 3].map((index) => developmentAccount(index));
const payee: Address = "0x5555aaaa2222bbbb3333cccc4444dddd5555eeee";

/** A Safe v1.3.0 (whose ExecutionSuccess indexes nothing) and v1.4.1, each attached with SAFE_ADDRESS: propose, sign, execute. */
describe("executing on a Safe v1.3.0 and v1.4.1 (core/proposals/execute)", function () {
  this.timeout(120_000);
  let node: LocalNode;
  before(async () => (node = await startLocalNode({ port: 0 })));
  after(() => node?.stop());

  for (const [version, flavour] of [["1.3.0", "L1"], ["1.3.0", "L2"], ["1.4.1", "L2"]] as const)
    it(`a ${version} ${flavour} Safe: the relayer executes an approved payment and the proposal is recorded as executed`, async () => {
      const { address: safe } = await createSafe(node.provider, { version, flavour, owners: [ana.address, ben.address, chen.address], threshold: 2, saltNonce: 77n });
      const funder = createWalletClient({ account: developmentAccount(0), chain: hardhat, transport: custom(node.provider) });
      await funder.sendTransaction({ to: safe, value: parseEther("1") });
      const dir = mkdtempSync(join(tmpdir(), "treasury-execute-"));
      const config = loadConfig({ RPC_URL: node.url, SAFE_ADDRESS: safe, ...databaseEnvironment(join(dir, "t.db")), DEPLOYMENT_FILE: join(dir, "none.json"), RELAYER_PRIVATE_KEY: developmentPrivateKey(5), LOG_LEVEL: "silent" });
      const ctx: TreasuryContext = await connectTreasury({ config, logger: createLogger("silent"), db: openDatabase({ path: config.DATABASE_PATH }), rpcUrl: node.url });
      try {
        assert.deepEqual([ctx.safe.version, ctx.safe.flavour], [version, flavour]);
        const proposal = await proposePayment(ctx, { payments: [{ amount: "0.2", token: "ETH", payee }], proposer: "Ana", memo: "v" + version });
        for (const owner of [ana, ben])
          await submitSignature(ctx, { safeTxHash: proposal.safeTxHash, signature: await owner.signTypedData(safeTxTypedData(ctx, proposal)), source: "wallet" });
        const before = await ctx.client.getBalance({ address: payee });
        const result = await executeProposal(ctx, { safeTxHash: proposal.safeTxHash });
        assert.equal(result.status, "executed");
        assert.equal((await ctx.client.getBalance({ address: payee })) - before, parseEther("0.2"));
        assert.equal((await getProposal(ctx, proposal.safeTxHash)).status, "executed");
      } finally {
        closeDatabase(ctx.db);
      }
    });
});
