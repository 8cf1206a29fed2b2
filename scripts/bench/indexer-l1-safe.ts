import { createPublicClient, custom, encodeFunctionData, type EIP1193Provider, type Hex } from "viem";
import type { Deployment } from "../../core/deployment.ts";
import { erc20Abi } from "../../core/tokens.ts";
import { developmentAccount } from "../../devchain/accounts.ts";
import { createSafe } from "../../devchain/create-safe.ts";

/**
 * For `bench:indexer -- --safe l1`: a Safe v1.3.0 L1 (`GnosisSafe`, whose
 * executions log no SafeMultiSigTransaction) at the canonical addresses, with
 * the demo Safe's owners (development accounts 1..3, threshold 2) and enough of
 * the first token for every execution. Returns the deployment with that Safe
 * in place of the demo one, so the history generator and the indexer use it.
 */
export async function useL1Safe(provider: EIP1193Provider, deployment: Deployment, executions: number): Promise<Deployment> {
  const owners = [1, 2, 3].map((index) => developmentAccount(index).address);
  const created = await createSafe(provider, { version: "1.3.0", flavour: "L1", owners, threshold: 2, saltNonce: 1_300n });
  const token = deployment.tokens[0].address;
  const minter = developmentAccount(0).address;
  const hash = (await provider.request({
    method: "eth_sendTransaction",
    params: [{ from: minter, to: token, data: encodeFunctionData({ abi: erc20Abi, functionName: "mint", args: [created.address, BigInt(executions) * 10n] }) }],
  } as never)) as Hex;
  const client = createPublicClient({ transport: custom(provider) });
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`minting to the L1 Safe failed (${hash})`);
  return { ...deployment, safe: { ...deployment.safe, address: created.address, creationBlock: created.creationBlock, owners, threshold: 2 } };
}
