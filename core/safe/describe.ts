import { decodeFunctionData, getAddress, isAddressEqual, zeroAddress, type Address, type Hex } from "viem";
import { erc20Abi } from "../tokens.ts";
import { safeAbi } from "./artifacts.ts";
import { decodeMultiSend } from "./multisend.ts";

/** One thing a Safe transaction does, decoded from its calldata. */
export type SafeTxAction =
  /** Money out: the native coin (`token` null) or an ERC-20 `transfer`. */
  | { kind: "payment"; token: Address | null; to: Address; amount: bigint }
  | { kind: "owner_added"; owner: Address; threshold: number }
  | { kind: "owner_removed"; owner: Address; threshold: number }
  | { kind: "owner_replaced"; oldOwner: Address; newOwner: Address }
  | { kind: "threshold_changed"; threshold: number }
  /** Another call of the Safe on itself: modules, guard, fallback handler… */
  | { kind: "safe_setting"; setting: SafeSetting; address: Address | null }
  /** Any other call (or delegatecall) to a contract: what it does is not decoded. */
  | { kind: "contract_call"; to: Address; value: bigint; selector: Hex | null; delegate: boolean };

export type SafeSetting =
  | "module_enabled"
  | "module_disabled"
  | "guard_set"
  | "guard_removed"
  | "fallback_handler_set"
  | "hash_approved"
  | "other";

/** What a Safe transaction does, as a whole. */
export type SafeTxKind =
  /** A zero-value call from the Safe to itself with no data: it only uses up its nonce. */
  | "rejection"
  | "payment"
  | "owner_change"
  | "safe_setting"
  | "contract_call"
  /** A batch mixing several of the above. */
  | "mixed";

export type SafeTxDescription = { kind: SafeTxKind; actions: SafeTxAction[] };

export type DescribeSafeTxParameters = {
  safeAddress: Address;
  /** The MultiSend and MultiSendCallOnly contracts: a delegatecall to one of them is a batch, described call by call. */
  multiSendAddresses: readonly Address[];
  /** The SafeTx's call, as signed and as the indexer stores it. */
  call: { to: Address; value: bigint; data: Hex; operation: number };
};

export type DescribeSafeTxReturnType = SafeTxDescription;

const ownerKinds = new Set<SafeTxAction["kind"]>(["owner_added", "owner_removed", "owner_replaced", "threshold_changed"]);

/** True when the action changes who owns the Safe or how many approvals it needs. */
export function changesOwnership(action: SafeTxAction): boolean {
  return ownerKinds.has(action.kind);
}

/**
 * Says what a SafeTx does, from its to, value, data and operation alone (no
 * chain access): payments, owner and threshold changes, other settings of the
 * Safe, the Safe's own rejection, or calls it cannot read. A MultiSend batch is
 * described call by call. Never throws: data it cannot decode is a contract call.
 */
export function describeSafeTx({ safeAddress, multiSendAddresses, call }: DescribeSafeTxParameters): DescribeSafeTxReturnType {
  const safe = getAddress(safeAddress);
  const to = getAddress(call.to);
  const data = (call.data || "0x").toLowerCase() as Hex;
  if (call.operation === 0 && isAddressEqual(to, safe) && call.value === 0n && data === "0x") return { kind: "rejection", actions: [] };

  const isBatch = call.operation === 1 && multiSendAddresses.some((address) => isAddressEqual(address, to));
  const entries = isBatch ? decodeMultiSend(data) : undefined;
  const actions = entries?.length
    ? entries.flatMap((entry) => describeCall(safe, entry))
    : describeCall(safe, { to, value: call.value, data, operation: call.operation });

  const kinds = new Set(actions.map((action) => (changesOwnership(action) ? "owner_change" : action.kind)));
  const kind: SafeTxKind = kinds.size === 1 ? ([...kinds][0] as SafeTxKind) : kinds.size === 0 ? "contract_call" : "mixed";
  return { kind, actions };
}

function describeCall(safe: Address, call: { to: Address; value: bigint; data: Hex; operation: number }): SafeTxAction[] {
  const to = getAddress(call.to);
  const selector = call.data.length >= 10 ? (call.data.slice(0, 10) as Hex) : null;
  const unknown: SafeTxAction = { kind: "contract_call", to, value: call.value, selector, delegate: call.operation !== 0 };
  if (call.operation !== 0) return [unknown];
  if (call.data === "0x") return call.value > 0n ? [{ kind: "payment", token: null, to, amount: call.value }] : [unknown];

  const actions: SafeTxAction[] = [];
  if (call.value > 0n) actions.push({ kind: "payment", token: null, to, amount: call.value });
  if (isAddressEqual(to, safe)) {
    const own = describeSelfCall(call.data);
    return own ? [...actions, own] : [...actions, { ...unknown, value: 0n }];
  }
  try {
    const decoded = decodeFunctionData({ abi: erc20Abi, data: call.data });
    if (decoded.functionName === "transfer") {
      const [recipient, amount] = decoded.args as readonly [Address, bigint];
      return [...actions, { kind: "payment", token: to, to: getAddress(recipient), amount }];
    }
  } catch {
    // not an ERC-20 call
  }
  return [...actions, { ...unknown, value: 0n }];
}

/** A call of the Safe on itself (owner management and settings), or undefined when the data is no Safe function. */
function describeSelfCall(data: Hex): SafeTxAction | undefined {
  let decoded: { functionName: string; args?: readonly unknown[] };
  try {
    decoded = decodeFunctionData({ abi: safeAbi, data }) as typeof decoded;
  } catch {
    return undefined;
  }
  const args = decoded.args ?? [];
  const address = (index: number) => getAddress(args[index] as Address);
  switch (decoded.functionName) {
    case "addOwnerWithThreshold":
      return { kind: "owner_added", owner: address(0), threshold: Number(args[1]) };
    case "removeOwner":
      return { kind: "owner_removed", owner: address(1), threshold: Number(args[2]) };
    case "swapOwner":
      return { kind: "owner_replaced", oldOwner: address(1), newOwner: address(2) };
    case "changeThreshold":
      return { kind: "threshold_changed", threshold: Number(args[0]) };
    case "enableModule":
      return { kind: "safe_setting", setting: "module_enabled", address: address(0) };
    case "disableModule":
      return { kind: "safe_setting", setting: "module_disabled", address: address(1) };
    case "setGuard":
      return isAddressEqual(address(0), zeroAddress)
        ? { kind: "safe_setting", setting: "guard_removed", address: null }
        : { kind: "safe_setting", setting: "guard_set", address: address(0) };
    case "setFallbackHandler":
      return { kind: "safe_setting", setting: "fallback_handler_set", address: address(0) };
    case "approveHash":
      return { kind: "safe_setting", setting: "hash_approved", address: null };
    default:
      return { kind: "safe_setting", setting: "other", address: null };
  }
}
