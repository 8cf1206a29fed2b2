import { decodeErrorResult, parseAbi, size, slice, type Hex } from "viem";

/**
 * Errors the treasury can name in revert data: Solidity's `Error(string)` and
 * `Panic(uint256)`, OpenZeppelin's ERC-20 errors (IERC20Errors, ERC-6093), and
 * the bare ERC-20 errors of minimal tokens (Solady and similar).
 */
export const knownErrorsAbi = parseAbi([
  "error Error(string message)",
  "error Panic(uint256 code)",
  "error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
  "error ERC20InvalidSender(address sender)",
  "error ERC20InvalidReceiver(address receiver)",
  "error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
  "error ERC20InvalidApprover(address approver)",
  "error ERC20InvalidSpender(address spender)",
  "error InsufficientBalance()",
  "error InsufficientAllowance()",
  "error TotalSupplyOverflow()",
  "error AllowanceOverflow()",
  "error AllowanceUnderflow()",
]);

/** What each known custom error means, in words. */
const customErrorMeanings: Record<string, string> = {
  ERC20InsufficientBalance: "the sender's token balance is too low",
  ERC20InvalidSender: "the token refuses this sender",
  ERC20InvalidReceiver: "the token refuses this receiver (for example the zero address)",
  ERC20InsufficientAllowance: "the allowance is too low",
  ERC20InvalidApprover: "the token refuses this approver",
  ERC20InvalidSpender: "the token refuses this spender",
  InsufficientBalance: "the sender's token balance is too low",
  InsufficientAllowance: "the allowance is too low",
  TotalSupplyOverflow: "the token's total supply would overflow",
  AllowanceOverflow: "the allowance would overflow",
  AllowanceUnderflow: "the allowance would go below zero",
};

/** The Safe's own revert codes (safe-smart-account docs/error_codes.md). */
export const safeErrorCodes: Record<string, string> = {
  GS000: "Could not finish initialization",
  GS001: "Threshold needs to be defined",
  GS002: "A call to set up modules couldn't be executed because the destination account was not a contract",
  GS010: "Not enough gas to execute Safe transaction",
  GS011: "Could not pay gas costs with ether",
  GS012: "Could not pay gas costs with token",
  GS013: "Safe transaction failed when gasPrice and safeTxGas were 0",
  GS020: "Signatures data too short",
  GS021: "Invalid contract signature location: inside static part",
  GS022: "Invalid contract signature location: length not present",
  GS023: "Invalid contract signature location: data not complete",
  GS024: "Invalid contract signature provided",
  GS025: "Hash has not been approved",
  GS026: "Invalid owner provided",
  GS030: "Only owners can approve a hash",
  GS031: "Method can only be called from this contract",
  GS100: "Modules have already been initialized",
  GS101: "Invalid module address provided",
  GS102: "Module has already been added",
  GS103: "Invalid prevModule, module pair provided",
  GS104: "Method can only be called from an enabled module",
  GS105: "Invalid starting point for fetching paginated modules",
  GS106: "Invalid page size for fetching paginated modules",
  GS200: "Owners have already been set up",
  GS201: "Threshold cannot exceed owner count",
  GS202: "Threshold needs to be greater than 0",
  GS203: "Invalid owner address provided",
  GS204: "Address is already an owner",
  GS205: "Invalid prevOwner, owner pair provided",
  GS300: "Guard does not implement IERC165",
  GS400: "Fallback handler cannot be set to self",
};

/** Solidity's panic codes (language docs, "Panic via assert and Error via require"). */
const panicMeanings: Record<number, string> = {
  0x00: "a generic compiler panic",
  0x01: "an assert failed",
  0x11: "an arithmetic overflow or underflow",
  0x12: "a division or modulo by zero",
  0x21: "a conversion to an invalid enum value",
  0x22: "an incorrectly encoded storage byte array",
  0x31: "a pop() on an empty array",
  0x32: "an array index out of bounds",
  0x41: "too much memory allocated",
  0x51: "a call to a zero-initialized internal function",
};

/** Revert data, decoded as far as the treasury knows the error. */
export type DecodedRevert =
  /** No data at all: `revert()` or `require(cond)` without a message, or out of gas. */
  | { kind: "empty" }
  /** `Error(string)`; `safeCode` when the text is one of the Safe's GSxxx codes. */
  | { kind: "error"; message: string; safeCode?: string }
  | { kind: "panic"; code: bigint }
  /** A custom error from `knownErrorsAbi`, with its arguments. */
  | { kind: "custom"; name: string; args: readonly unknown[]; inputs: readonly string[] }
  /** A custom error the treasury does not know: its 4-byte selector. */
  | { kind: "unknown"; selector: Hex };

/** Decodes revert data against the errors the treasury knows. Never throws. */
export function decodeRevert(data: Hex | undefined | null): DecodedRevert {
  if (!data || data === "0x") return { kind: "empty" };
  try {
    const decoded = decodeErrorResult({ abi: knownErrorsAbi, data });
    if (decoded.errorName === "Error") {
      const message = String(decoded.args[0]);
      const code = /^GS\d{3}$/.exec(message.trim())?.[0];
      return code ? { kind: "error", message, safeCode: code } : { kind: "error", message };
    }
    if (decoded.errorName === "Panic") return { kind: "panic", code: decoded.args[0] as bigint };
    const inputs = (decoded.abiItem.inputs as readonly { name?: string; type: string }[]).map((input) => input.name || input.type);
    return { kind: "custom", name: decoded.errorName, args: decoded.args ?? [], inputs };
  } catch {
    return { kind: "unknown", selector: size(data) >= 4 ? slice(data, 0, 4) : data };
  }
}

/**
 * One line saying why a call reverted, for people: the revert reason, the
 * Safe's GSxxx code with its meaning, a panic in words, or a named error with
 * its arguments. Raw bytes appear only for errors nobody could name.
 */
export function describeRevert(data: Hex | undefined | null): string {
  const decoded = decodeRevert(data);
  switch (decoded.kind) {
    case "empty":
      return "the call reverted without a reason";
    case "error":
      if (decoded.safeCode) {
        const meaning = safeErrorCodes[decoded.safeCode];
        return `the Safe refused with ${decoded.safeCode}${meaning ? ` (${meaning})` : ""}`;
      }
      return `reverted: "${decoded.message}"`;
    case "panic": {
      const meaning = panicMeanings[Number(decoded.code)] ?? "an unknown panic";
      return `panicked: ${meaning} (panic code 0x${decoded.code.toString(16).padStart(2, "0")})`;
    }
    case "custom": {
      const args = decoded.args.map((value, index) => `${decoded.inputs[index]} ${String(value)}`).join(", ");
      const meaning = customErrorMeanings[decoded.name];
      return `reverted with ${decoded.name}(${args})${meaning ? `: ${meaning}` : ""}`;
    }
    case "unknown":
      return `reverted with an error this treasury cannot name (selector ${decoded.selector})`;
  }
}
