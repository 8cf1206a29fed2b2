import type { PostgresColumn } from "./values.ts";

/**
 * What `PostgresConnection` asks of its worker thread (`worker.ts`), and the answers. `begin`: open a transaction
 * just before the statement (a transaction's BEGIN rides with its first statement: one trip between threads fewer).
 */
export type PostgresRequest =
  | { kind: "connect"; id: number; url: string; setup: string[] }
  | { kind: "close"; id: number }
  | { kind: "exec"; id: number; text: string; begin?: boolean }
  | { kind: "query"; id: number; text: string; values: unknown[]; begin?: boolean };


export type PostgresReply =
  | { kind: "done" }
  | { kind: "rows"; columns: PostgresColumn[]; rows: unknown[][]; count: number }
  | { kind: "error"; message: string; code?: string; detail?: string; position?: string };
