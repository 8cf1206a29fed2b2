// ox, not viem, for the address check: configuration is read by every command, and viem would add ~450 modules.
import { validate as isAddress } from "ox/Address";
import { z } from "zod";
import { optionalText, port, wholeNumber } from "../core/config-fields.ts";

/** The embedded chain's variables: its port, its journal, the demo Safe's owners and threshold, and its deployment record. */
export const devchainConfigSchema = z.object({
  DEPLOYMENT_FILE: optionalText.transform((value) => value ?? "./data/deployment.json"),
  LOCAL_CHAIN_PORT: port(8545),
  CHAIN_JOURNAL_FILE: optionalText.transform((value) => value ?? "./data/chain-journal.jsonl"),
  SAFE_OWNERS: optionalText.refine(
    (value) => value === undefined || value.split(",").every((owner) => isAddress(owner.trim(), { strict: false })),
    "is not a comma-separated list of addresses",
  ),
  SAFE_THRESHOLD: wholeNumber(2, 1),
});

export type DevchainConfig = z.infer<typeof devchainConfigSchema>;
