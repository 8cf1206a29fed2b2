import { InvalidAmountError } from "./errors.ts";

/** The largest amount a person may type: the uint256 range of the EVM. */
const MAX_UINT256 = 2n ** 256n - 1n;

/**
 * Parses a human amount ("250", "1.5", "0.000001") into base units of a token
 * with `decimals` decimals. Exact: no float is involved at any step.
 *
 * Refuses, with an `InvalidAmountError` naming the problem: an empty string,
 * signs, exponents, thousands separators or decimal commas, more fractional
 * digits than the token has, zero, and anything above uint256.
 */
export function parseAmount(text: string, decimals: number, symbol = "the token"): bigint {
  const input = text.trim();
  if (input === "") throw new InvalidAmountError("The amount is empty.");
  if (input.startsWith("-")) throw new InvalidAmountError(`The amount "${input}" is negative; amounts must be above zero.`);
  if (/[eE]/.test(input) && /^[+]?\d*\.?\d*[eE]/.test(input))
    throw new InvalidAmountError(`The amount "${input}" uses an exponent; write the number out in full.`);
  if (input.includes(","))
    throw new InvalidAmountError(`The amount "${input}" has a comma; use a dot for decimals and no thousands separator.`);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(input) ?? /^()\.(\d+)$/.exec(input);
  if (!match) throw new InvalidAmountError(`"${input}" is not an amount; write a number such as 250 or 1.5.`);
  const whole = match[1] || "0";
  const fraction = match[2] ?? "";
  if (fraction.length > decimals)
    throw new InvalidAmountError(
      `The amount "${input}" has ${fraction.length} decimals; ${symbol} has only ${decimals}.`,
    );
  const units = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
  if (units === 0n) throw new InvalidAmountError("The amount is zero; amounts must be above zero.");
  if (units > MAX_UINT256) throw new InvalidAmountError(`The amount "${input}" is too large.`);
  return units;
}

/**
 * Formats base units as a decimal string with the token's decimals, with no
 * trailing zeros and no thousands separators ("1750", "0.25", "-3.5").
 */
export function formatAmount(units: bigint, decimals: number): string {
  const negative = units < 0n;
  const absolute = negative ? -units : units;
  const base = 10n ** BigInt(decimals);
  const whole = absolute / base;
  const fraction = decimals === 0 ? "" : (absolute % base).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** Formats with thousands separators for people ("40,000", "1,234.5"). */
export function formatAmountForPeople(units: bigint, decimals: number): string {
  const plain = formatAmount(units, decimals);
  const [whole, fraction] = plain.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction ? `${grouped}.${fraction}` : grouped;
}
