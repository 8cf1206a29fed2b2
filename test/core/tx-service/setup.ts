import apiKitModule from "@safe-global/api-kit";
import { createWalletClient, hashTypedData, http, type Address, type Hex, type PublicClient } from "viem";
import { developmentAccount, developmentPrivateKey } from "../../../devchain/accounts.ts";
import type { TreasuryContext } from "../../../core/context.ts";
import { createTxServiceSync, type TxServiceSync } from "../../../core/tx-service/sync.ts";
import { startFakeTxService, type FakeTxService } from "../../helpers/fake-tx-service.ts";
import { startTreasury, type TreasuryFixture } from "../proposals/setup.ts";
import { safeTxTypes } from "../../helpers/safe-tx-types.ts";

const SafeApiKit = ((apiKitModule as unknown as { default?: unknown }).default ?? apiKitModule) as typeof apiKitModule.default;

/** The bot's own key: a development account that is not an owner of the test Safe (owners are accounts 1 to 3). */
export const botKey = developmentPrivateKey(6);
export const bot = developmentAccount(6);

export type TxServiceFixture = TreasuryFixture & {
  service: FakeTxService;
  /** A controllable clock (unix seconds) the sync's context uses, so retry delays pass at once. */
  clock: { now: number };
  /** The treasury context with the controllable clock. */
  sctx: TreasuryContext;
  /** A sync over the fake service, with or without the bot's delegate key. */
  sync: (options?: { delegate?: boolean; ctx?: TreasuryContext }) => TxServiceSync;
  /** api-kit as the Safe app uses it, for one owner. */
  app: () => InstanceType<typeof SafeApiKit>;
};

export async function startTxServiceTreasury(): Promise<TxServiceFixture> {
  const treasury = await startTreasury();
  const service = await startFakeTxService({ client: treasury.chain.client as unknown as PublicClient, chainId: treasury.ctx.chainId });
  const clock = { now: Math.floor(Date.now() / 1000) };
  const sctx: TreasuryContext = { ...treasury.ctx, now: () => clock.now };
  return {
    ...treasury,
    service,
    clock,
    sctx,
    sync: (options = {}) =>
      createTxServiceSync({
        ctx: options.ctx ?? sctx,
        config: {
          SAFE_TX_SERVICE_URL: service.url,
          SAFE_TX_SERVICE_API_KEY: "test-api-key",
          SAFE_TX_SERVICE_DELEGATE_KEY: options.delegate ? botKey : undefined,
          SAFE_TX_SERVICE_POLL_SECONDS: 3600,
        },
        retryBaseSeconds: 5,
      }),
    app: () => new SafeApiKit({ chainId: BigInt(treasury.ctx.chainId), txServiceUrl: service.url }),
    close: async () => {
      await service.stop();
      await treasury.close();
    },
  };
}

/** An owner adds the bot's key as a delegate of the Safe through api-kit (it signs the EIP-712 Delegate message). */
export async function addBotAsDelegate(t: TxServiceFixture, ownerIndex: number): Promise<void> {
  const owner = developmentAccount(ownerIndex);
  const signer = createWalletClient({ account: owner, chain: t.chain.client.chain, transport: http(t.chain.node.url) });
  await t.app().addSafeDelegate({ safeAddress: t.ctx.safeAddress, delegateAddress: bot.address, delegatorAddress: owner.address, label: "treasury bot", signer });
}

const zero = "0x0000000000000000000000000000000000000000" as Address;

/**
 * What the Safe app does to queue a transaction: the owner signs the SafeTx
 * (EIP-712, computed here independently of the product) and proposes it with
 * api-kit. Returns its safeTxHash.
 */
export async function proposeInSafeApp(t: TxServiceFixture, ownerIndex: number, call: { to: Address; value?: bigint; data?: Hex; nonce: number }): Promise<Hex> {
  const owner = developmentAccount(ownerIndex);
  const message = { to: call.to, value: call.value ?? 0n, data: call.data ?? "0x", operation: 0, safeTxGas: 0n, baseGas: 0n, gasPrice: 0n, gasToken: zero, refundReceiver: zero, nonce: BigInt(call.nonce) };
  const typedData = { domain: { chainId: t.ctx.chainId, verifyingContract: t.ctx.safeAddress }, types: safeTxTypes, primaryType: "SafeTx" as const, message };
  const safeTxHash = hashTypedData(typedData);
  const signature = await owner.signTypedData(typedData);
  await t.app().proposeTransaction({
    safeAddress: t.ctx.safeAddress,
    safeTxHash,
    safeTransactionData: { ...message, value: message.value.toString(), safeTxGas: "0", baseGas: "0", gasPrice: "0", nonce: call.nonce },
    senderAddress: owner.address,
    senderSignature: signature,
    origin: "Safe{Wallet}",
  });
  return safeTxHash;
}

/** An owner's EIP-712 signature of any safeTxHash's SafeTx in the fake service, as the Safe app makes it. */
export async function signInSafeApp(t: TxServiceFixture, ownerIndex: number, safeTxHash: Hex): Promise<Hex> {
  const tx = t.service.transactions.get(safeTxHash);
  if (!tx) throw new Error(`the fake service has no ${safeTxHash}`);
  const message = {
    to: tx.to,
    value: BigInt(tx.value),
    data: tx.data ?? "0x",
    operation: tx.operation,
    safeTxGas: BigInt(tx.safeTxGas),
    baseGas: BigInt(tx.baseGas),
    gasPrice: BigInt(tx.gasPrice),
    gasToken: tx.gasToken,
    refundReceiver: tx.refundReceiver,
    nonce: BigInt(tx.nonce),
  };
  return developmentAccount(ownerIndex).signTypedData({ domain: { chainId: t.ctx.chainId, verifyingContract: t.ctx.safeAddress }, types: safeTxTypes, primaryType: "SafeTx", message });
}
