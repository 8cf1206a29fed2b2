import { RelayerNotConfiguredError } from "../../../core/proposals/errors.ts";
import { buildExecutionCall, executeProposal } from "../../../core/proposals/execute.ts";
import { withTreasury } from "../session.ts";

export type ExecuteOptions = { printCall?: boolean };

/** `treasury execute <safeTxHash> [--print-call]`: executes a ready proposal with the relayer key. */
export function executeCommand(safeTxHash: string, options: ExecuteOptions): Promise<void> {
  return withTreasury(async (ctx) => {
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
