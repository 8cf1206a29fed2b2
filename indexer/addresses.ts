import { getAddress, type Address } from "viem";

/** Checksummed addresses, remembered: the same few addresses appear in most logs. */
const checksums = new Map<string, Address>();
export function checksumAddress(address: string): Address {
  const lower = address.toLowerCase();
  let checksummed = checksums.get(lower);
  if (!checksummed) {
    checksummed = getAddress(lower);
    if (checksums.size > 50_000) checksums.clear();
    checksums.set(lower, checksummed);
  }
  return checksummed;
}
