/** One schema change: applied once, in its own transaction, never edited after release. */
export type Migration = { version: number; name: string; sql: string };
