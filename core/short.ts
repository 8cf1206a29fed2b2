/** An address shortened for people: "0x1234…cdef" (the full address stays in links and receipts). */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/** A transaction or SafeTx hash shortened for people: "0x12345678…abcdef". */
export function shortHash(hash: string): string {
  return hash.length > 18 ? `${hash.slice(0, 10)}…${hash.slice(-6)}` : hash;
}
