import type { Command } from "commander";
import { RelayerNotConfiguredError } from "../../../core/proposals/errors.ts";
import { buildExecutionCall, executeProposal } from "../../../core/proposals/execute.ts";
import { withTreasury } from "../session.ts";

/** `treasury execute <safeTxHash>`: executes a ready proposal with the relayer key. */
export function registerExecute(program: Command): void {
  program
    .command("execute")
    .description("execute a proposal that has enough approvals (the relayer pays gas)")
    .argument("<safeTxHash>")
    .option("--print-call", "print the execTransaction call for an owner to send from their own wallet instead")
    .action(async (safeTxHash: string, options: { printCall?: boolean }) =>
      withTreasury(async (ctx) => {
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
      }),
    );
}
