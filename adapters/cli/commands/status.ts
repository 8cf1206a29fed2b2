import { formatAmountForPeople } from "../../../core/money.ts";
import { readSafeState } from "../../../core/safe/read-state.ts";
import { printJson, printTable } from "../output.ts";
import { withTreasury } from "../session.ts";
import { knownErc20Tokens } from "../../../core/proposals/tokens.ts";

export type StatusOptions = { json?: boolean };

/** `treasury status [--json]`: the Safe as the chain reports it now. */
export function statusCommand(options: StatusOptions): Promise<void> {
  return withTreasury(async (ctx) => {
    const state = await readSafeState(ctx.client, ctx.safeAddress, knownErc20Tokens(ctx), ctx.chainFacts?.nativeToken);
    if (options.json) {
      printJson({
        ...state,
        balances: state.balances.map((balance) => ({ ...balance, amount: balance.amount.toString() })),
      });
      return;
    }
    console.log(`Safe       ${state.safeAddress} on ${ctx.chainFacts?.name ?? "chain"} ${ctx.chainFacts ? `(chain ${state.chainId})` : state.chainId} (block ${state.blockNumber})`);
    console.log(`Threshold  ${state.threshold} of ${state.owners.length}`);
    console.log(`Nonce      ${state.nonce}`);
    console.log("Owners");
    for (const owner of state.owners) console.log(`  ${owner}`);
    console.log("Balances");
    printTable(state.balances.map((balance) => ["  " + balance.symbol, formatAmountForPeople(balance.amount, balance.decimals)]));
  });
}
