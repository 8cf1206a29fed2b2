import { privateKeyToAccount } from "viem/accounts";
import type { Hex } from "viem";
import type { TreasuryContext } from "../context.ts";
import { publicUrl } from "../config.ts";
import { shortMessageOf } from "../errors.ts";
import { createTxServiceClient, type TxServiceClient } from "./client.ts";
import type { TxServiceConfig } from "./config.ts";
import { pullFromTxService, type PullFromTxServiceReturnType } from "./pull.ts";
import { queueTxServicePushes, runTxServicePushes, type RunTxServicePushesReturnType } from "./push.ts";

export type TxServiceSync = {
  start: () => void;
  /** Stops polling; returns after the tick in progress, if any, has finished. */
  stop: () => Promise<void>;
  /** One round: queue new pushes, run the due ones, pull the service's queue. Never throws. */
  tick: () => Promise<{ pushes: RunTxServicePushesReturnType; pull: PullFromTxServiceReturnType | null }>;
};

export type CreateTxServiceSyncParameters = {
  ctx: TreasuryContext;
  config: TxServiceConfig & { SAFE_TX_SERVICE_URL: string };
  /** Called after a round that changed something here (a proposal or signature pulled): e.g. wake the Slack worker. */
  onChange?: () => void;
  /** Tests: a ready client instead of one built from the config. */
  client?: TxServiceClient;
  retryBaseSeconds?: number;
};

/**
 * The background sync with the Safe Transaction Service. It runs beside the
 * Slack flow and never inside it: Slack's acknowledgements never wait on the
 * service. Each round queues what was proposed or signed here in the durable
 * push table, runs the pushes that are due, and pulls the app's queue; a
 * service that is down or slow only delays the pushes, which are retried with
 * a growing delay and survive restarts.
 */
export function createTxServiceSync({ ctx, config, onChange, client, retryBaseSeconds }: CreateTxServiceSyncParameters): TxServiceSync {
  const service = client ?? createTxServiceClient({ url: config.SAFE_TX_SERVICE_URL, apiKey: config.SAFE_TX_SERVICE_API_KEY, chainId: ctx.chainId });
  const delegate = config.SAFE_TX_SERVICE_DELEGATE_KEY ? privateKeyToAccount(config.SAFE_TX_SERVICE_DELEGATE_KEY as Hex) : undefined;
  const origin = JSON.stringify({ name: "Shared treasury (proposed in Slack)", url: publicUrl(ctx.config) });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;

  const tick: TxServiceSync["tick"] = async () => {
    let pushes: RunTxServicePushesReturnType = { done: 0, waiting: 0, failed: 0 };
    let pull: PullFromTxServiceReturnType | null = null;
    try {
      queueTxServicePushes(ctx);
      pushes = await runTxServicePushes({ ctx, client: service, delegate, origin, retryBaseSeconds });
    } catch (error) {
      ctx.logger.warn({ err: shortMessageOf(error) }, "pushing to the Safe Transaction Service failed; it will be tried again");
    }
    try {
      pull = await pullFromTxService(ctx, service);
      if (pull.imported.length > 0 || pull.accepted > 0) onChange?.();
    } catch (error) {
      ctx.logger.warn({ err: shortMessageOf(error) }, "reading the Safe Transaction Service failed; it will be read again");
    }
    return { pushes, pull };
  };

  const loop = async () => {
    if (stopped) return;
    running = tick();
    await running;
    running = undefined;
    if (!stopped) timer = setTimeout(() => void loop(), config.SAFE_TX_SERVICE_POLL_SECONDS * 1000);
  };

  return {
    start: () => {
      ctx.logger.info({ url: config.SAFE_TX_SERVICE_URL, delegate: delegate?.address }, "Safe Transaction Service sync started");
      void loop();
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    tick,
  };
}
