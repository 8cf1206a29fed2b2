/**
 * An RPC address as it may be shown: its origin only (scheme, host and port),
 * never a path, query or user info, where providers put API keys.
 */
export function rpcOrigin(rpcUrl: string): string {
  try {
    return new URL(rpcUrl).origin;
  } catch {
    return "(not a URL)";
  }
}
