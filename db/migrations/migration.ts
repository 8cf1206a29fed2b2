/**
 * One schema change: applied once, in its own transaction, never edited after release.
 * `foreignKeysOff`: foreign keys are off while it runs (a table rebuild: dropping a
 * referenced table then cascades nothing) and checked before it commits.
 */
export type Migration = { version: number; name: string; sql: string; foreignKeysOff?: boolean };
