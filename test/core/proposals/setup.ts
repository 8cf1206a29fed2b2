import { parseEther, parseUnits, type Address, type Hex } from "viem";
import { developmentAccount, developmentPrivateKey } from "../../../devchain/accounts.ts";
import type { TreasuryContext } from "../../../core/context.ts";
import { safeTxTypedData, type ProposalView } from "../../../core/proposals/view.ts";
import { startTestChain, type TestChain } from "../../helpers/chain.ts";
import { createTestContext } from "../../helpers/context.ts";
import { closeDatabase } from "../../../db/open.ts";

export const [relayer, ana, ben, chen, dana] = [0, 1, 2, 3, 4].map((index) => developmentAccount(index));

export const keyOf = developmentPrivateKey;

export type TreasuryFixture = { chain: TestChain; ctx: TreasuryContext; close: () => Promise<void> };

/** A funded 2-of-3 Safe (ana, ben, chen) on a fresh chain, with a treasury context whose relayer is account 0. */
export async function startTreasury(funds = { eth: parseEther("10"), tokens: { USDC: parseUnits("5000", 6), DAI: parseUnits("2000", 18) } }): Promise<TreasuryFixture> {
  const chain = await startTestChain({ owners: [ana.address, ben.address, chen.address], threshold: 2, initialFunds: funds });
  const ctx = createTestContext(chain, { env: { RELAYER_PRIVATE_KEY: keyOf(0), PUBLIC_URL: "http://127.0.0.1:3999" } });
  return {
    chain,
    ctx,
    close: async () => {
      closeDatabase(ctx.db);
      await chain.stop();
    },
  };
}

/** An owner's EIP-712 signature of a proposal, made with their own key. */
export function signProposal(ctx: TreasuryContext, proposal: ProposalView, index: number): Promise<Hex> {
  return developmentAccount(index).signTypedData(safeTxTypedData(ctx, proposal));
}

/** A fresh random-looking payee address. */
export function payeeAddress(seed: number): Address {
  return `0x${seed.toString(16).padStart(4, "0")}${"ab".repeat(16)}${seed.toString(16).padStart(4, "0")}` as Address;
}
