import type { Address, Hex } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import type { TreasuryContext } from "../context.ts";
import type { SafeOwnership } from "../safe/owners.ts";
import { readSafeOwnership } from "../safe/owners.ts";
import { RelayerIsOwnerError } from "./errors.ts";

/** The relayer's account from RELAYER_PRIVATE_KEY, or undefined when no relayer is configured. */
export function relayerAccount(ctx: Pick<TreasuryContext, "config">): PrivateKeyAccount | undefined {
  const key = ctx.config.RELAYER_PRIVATE_KEY;
  return key ? privateKeyToAccount(key as Hex) : undefined;
}

/**
 * Throws `RelayerIsOwnerError` when the relayer's address is a current owner
 * of the Safe (read live unless `ownership` is given). Does nothing without a
 * relayer. The service calls it at start-up; every relayed execution calls it
 * again, so an owner change that makes the relayer an owner stops relaying.
 */
export async function assertRelayerIsNotOwner(ctx: TreasuryContext, ownership?: SafeOwnership): Promise<void> {
  const relayer = relayerAccount(ctx);
  if (!relayer) return;
  const { owners } = ownership ?? (await readSafeOwnership(ctx));
  if (owners.includes(relayer.address))
    throw new RelayerIsOwnerError(
      `The relayer ${relayer.address} (RELAYER_PRIVATE_KEY) is an owner of the Safe ${ctx.safeAddress}; use a key that only pays gas, or unset RELAYER_PRIVATE_KEY.`,
    );
}

const queues = new Map<Address, Promise<unknown>>();

/**
 * Runs `work` for the relayer `address` after every earlier piece of work for
 * it has finished (succeeded or failed): one queue per relayer in this
 * process, so two executions never pick the same account nonce, and each
 * sees the Safe as the one before it left it.
 */
export function inRelayerQueue<T>(address: Address, work: () => Promise<T>): Promise<T> {
  const before = queues.get(address) ?? Promise.resolve();
  const run = before.then(work, work);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(address, settled);
  void settled.then(() => {
    if (queues.get(address) === settled) queues.delete(address);
  });
  return run;
}
