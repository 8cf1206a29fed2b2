import { chainMirror } from "./001-chain-mirror.ts";
import { workflow } from "./002-workflow.ts";

export type Migration = { version: number; name: string; sql: string };

/** Every migration, in order. A migration is never edited once released; add a new one. */
export const migrations: Migration[] = [chainMirror, workflow];
