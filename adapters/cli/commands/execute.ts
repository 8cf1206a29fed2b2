import { RelayerNotConfiguredError } from "../../../core/proposals/errors.ts";
import { buildExecutionCall, executeProposal } from "../../../core/proposals/execute.ts";
import { findProposal } from "../../../core/proposals/find.ts";
import { withTreasury } from "../session.ts";

export type ExecuteOptions = { printCall?: boolean };

/**
 * `treasury execute <proposal> [--print-call]`: executes a ready proposal with
 * the relayer key. The proposal is named by number (`41`, `#41`) or by its
 * safeTxHash or a unique prefix of it.
 */
export function executeCommand(reference: string, options: ExecuteOptions): Promise<void> {
  return withTreasury(async (ctx) => {
    const { safeTxHash } = findProposal(ctx.db, reference);
    if (options.printCall) {
      const call = await buildExecutionCall(ctx, safeTxHash);
      console.log(`to    ${call.to}\nvalue 0\ndata  ${call.data}`);
      return;
    }
    try {
      const result = await executeProposal(ctx, { safeTxHash });
      console.log(`${result.status === "executed" ? "Executed" : "Executed, but the Safe reported a failure"}: ${result.txHash}`);
    } catch (error) {
      if (error instanceof RelayerNotConfiguredError)
        throw new RelayerNotConfiguredError(`${error.shortMessage} Or use --print-call and send it from an owner's wallet.`);
      throw error;
    }
  });
}
