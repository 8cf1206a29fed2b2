// Address and hex checks from ox (viem's own primitives): importing viem for them loads ~250 to 450 more
// modules at every start of every command; the checks are the same.
import * as Address from "ox/Address";
import * as Hex from "ox/Hex";
import { z } from "zod";

/**
 * The kinds of values the environment holds, checked the same way by every
 * part that owns a variable: text (blank means unset), a URL, an address, a
 * private key, a port, a whole number.
 */
export const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

export const url = (what: string) => optionalText.refine((value) => value === undefined || URL.canParse(value), `is not a URL (${what})`);

export const address = optionalText
  .refine((value) => value === undefined || Address.validate(value, { strict: false }), "is not an address (0x and 40 hex digits)")
  .transform((value) => (value === undefined ? undefined : Address.checksum(value)));

export const privateKey = optionalText.refine(
  (value) => value === undefined || (Hex.validate(value, { strict: true }) && value.length === 66),
  "is not a private key (0x and 64 hex digits)",
);

export const port = (fallback: number) =>
  optionalText
    .transform((value) => (value === undefined ? fallback : Number(value)))
    .refine((value) => Number.isInteger(value) && value >= 0 && value <= 65535, "is not a port (0 to 65535)");

export const wholeNumber = (fallback: number, min = 0) =>
  optionalText
    .transform((value) => (value === undefined ? fallback : Number(value)))
    .refine((value) => Number.isInteger(value) && value >= min, `is not a whole number of at least ${min}`);
