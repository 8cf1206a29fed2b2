import { formatAmountForPeople } from "../../../core/money.ts";
import { readSafeState } from "../../../core/safe/read-state.ts";
import { printJson, printTable } from "../output.ts";
import { withTreasury } from "../session.ts";
import { knownErc20Tokens } from "../../../core/proposals/tokens.ts";
import { readTxServiceSyncStatus, type TxServiceSyncStatus } from "../../../core/tx-service/status.ts";

export type StatusOptions = { json?: boolean };

/** `treasury status [--json]`: the Safe as the chain reports it now. */
export function statusCommand(options: StatusOptions): Promise<void> {
  return withTreasury(async (ctx) => {
    const state = await readSafeState(ctx.client, ctx.safeAddress, knownErc20Tokens(ctx), ctx.chainFacts?.nativeToken);
    const txService = readTxServiceSyncStatus(ctx);
    if (options.json) {
      printJson({
        ...state,
        balances: state.balances.map((balance) => ({ ...balance, amount: balance.amount.toString() })),
        txService,
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
    for (const line of txServiceLines(txService, Math.floor(Date.now() / 1000))) console.log(line);
  });
}

/** The Safe Transaction Service sync, for people: the last pull, what waits to be pushed and why, what was refused. */
export function txServiceLines(status: TxServiceSyncStatus, now: number): string[] {
  if (!status.used) return ["Safe app sync  off (set SAFE_TX_SERVICE_URL to share proposals with the Safe app)"];
  const lines = ["Safe app sync (Safe Transaction Service)"];
  lines.push(`  Last pull        ${status.lastPullAt === null ? "never" : `${new Date(status.lastPullAt * 1000).toISOString()} (${ago(now - status.lastPullAt)})`}`);
  if (status.lastPullError) lines.push(`  Last pull failed ${status.lastPullError}`);
  lines.push(`  Waiting to push  ${status.waitingToPush}${status.waitingToPush && status.waitingBecause ? ` (${status.waitingBecause})` : ""}`);
  if (status.refusedPushes) lines.push(`  Refused pushes   ${status.refusedPushes}`);
  for (const refusal of status.refusedFromService) lines.push(`  Refused from the service: ${refusal.safeTxHash.slice(0, 10)}… ${refusal.reason}: ${refusal.message}`);
  return lines;
}

function ago(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, seconds)} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return `${Math.floor(seconds / 3600)} h ago`;
}
