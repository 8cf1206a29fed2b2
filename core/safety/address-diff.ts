/** One stretch of an address: characters that all differ, or all match, at the same positions of another address. */
export type AddressRun = { text: string; differs: boolean };

/**
 * `address` cut into runs of characters that differ from, or match, the
 * character at the same position in `other`, compared without case (the case
 * of a checksummed address is not a digit). Joined, the runs are `address`.
 * The review page highlights the differing runs; the CLI marks them.
 */
export function compareAddresses(address: string, other: string): AddressRun[] {
  const differs = (index: number) => address[index].toLowerCase() !== (other[index] ?? "").toLowerCase();
  const runs: AddressRun[] = [];
  for (let start = 0; start < address.length; ) {
    const different = differs(start);
    let end = start + 1;
    while (end < address.length && differs(end) === different) end++;
    runs.push({ text: address.slice(start, end), differs: different });
    start = end;
  }
  return runs;
}

/** How many of the hex digits (after "0x") of two addresses differ, compared without case. */
export function countDifferingDigits(address: string, other: string): number {
  return compareAddresses(address, other)
    .filter((run) => run.differs)
    .reduce((count, run) => count + run.text.length, 0);
}
