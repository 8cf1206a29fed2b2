import type { Statement } from "better-sqlite3";
import { connectionOf, statement } from "../connection.ts";
import type { TreasuryDatabase } from "../handle.ts";
import { readMeta, writeMeta } from "../meta.ts";
import { readNativeCoin } from "./native-coin.ts";
import { deleteUndeliveredOutboxAbove, insertOutboxEntry } from "../outbox.ts";
import { moduleExecutionKey, type BlockHeader, type ChainMirrorRows, type ChainPosition, type TokenMetadata } from "./records.ts";

/**
 * The only writer of the chain mirror (blocks, checkpoint, tokens, executions
 * and their signers, approved hashes, payments, transfers, owner changes,
 * module events). The indexer calls it; nothing else writes these tables.
 * Every function acts on the Safe the handle is bound to (`forSafe`) and
 * leaves the other Safes' rows as they are; an unbound handle throws.
 */

export type WriteBatchParameters = {
  batch: ChainMirrorRows;
  /** Headers of the blocks the batch has rows in (others are ignored). */
  headers: ReadonlyMap<number, BlockHeader>;
  /** The last block of the range: becomes the checkpoint. */
  checkpoint: BlockHeader;
  /** Rows at or below this block are confirmed (head minus the confirmation depth). */
  confirmedUpTo: number;
  /** Tokens met for the first time, with what they say about themselves. */
  newTokens: TokenMetadata[];
};

export type WriteBatchReturnType = { rows: number; announced: number };

/** The tables with a `confirmed` flag and a `block_number`. */
const confirmableTables = [
  "safe_executions",
  "approved_hashes",
  "payments",
  "transfers",
  "owner_changes",
  "module_events",
  "module_executions",
  "undecoded_executions",
] as const;

/** Tables the indexer owns: emptied when the chain under the database is another one. */
export const chainMirrorTables = [
  "blocks",
  "checkpoint",
  "safe_executions",
  "execution_signers",
  "approved_hashes",
  "payments",
  "transfers",
  "owner_changes",
  "module_events",
  "module_executions",
  "undecoded_executions",
] as const;

const statements = new WeakMap<TreasuryDatabase, ReturnType<typeof prepare>>();

/** Every statement names `@safe`: the handle's Safe (see `statement`), so one Safe's batch never touches another's rows. */
function prepare(handle: TreasuryDatabase) {
  const db = { prepare: (sql: string) => statement(handle, sql) };
  return {
    block: db.prepare(
      "INSERT INTO blocks (safe_id, number, hash, parent_hash, timestamp) VALUES (@safe, ?, ?, ?, ?) ON CONFLICT (safe_id, number) DO UPDATE SET hash = excluded.hash, parent_hash = excluded.parent_hash, timestamp = excluded.timestamp",
    ),
    checkpoint: db.prepare(
      `INSERT INTO checkpoint (safe_id, block_number, block_hash, updated_at) VALUES (@safe, ?, ?, datetime('now'))
       ON CONFLICT(safe_id) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash, updated_at = excluded.updated_at`,
    ),
    token: db.prepare("INSERT OR IGNORE INTO tokens (safe_id, address, symbol, name, decimals) VALUES (@safe, ?, ?, ?, ?)"),
    execution: db.prepare(
      `INSERT INTO safe_executions (safe_id, safe_tx_hash, nonce, to_address, value, data, operation, safe_tx_gas, base_gas, gas_price,
         gas_token, refund_receiver, signatures, success, fee_payment, executor, block_number, block_time, tx_hash, log_index, confirmed)
       VALUES (@safe, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    signer: db.prepare("INSERT INTO execution_signers (safe_id, safe_tx_hash, owner, kind, block_number) VALUES (@safe, ?, ?, ?, ?)"),
    payment: db.prepare(
      `INSERT INTO payments (safe_id, safe_tx_hash, batch_index, token, to_address, amount, block_number, block_time, tx_hash, log_index, confirmed)
       VALUES (@safe, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    transfer: db.prepare(
      `INSERT INTO transfers (safe_id, direction, token, from_address, to_address, amount, block_number, block_time, tx_hash, log_index, confirmed)
       VALUES (@safe, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    ownerChange: db.prepare(
      `INSERT INTO owner_changes (safe_id, kind, owner, threshold, owners, block_number, block_time, tx_hash, log_index, confirmed)
       VALUES (@safe, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    moduleEvent: db.prepare(
      `INSERT INTO module_events (safe_id, kind, address, block_number, block_time, tx_hash, log_index, confirmed) VALUES (@safe, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    moduleExecution: db.prepare(
      `INSERT INTO module_executions (safe_id, module, success, to_address, value, data, operation, reason, block_number, block_time, tx_hash, log_index, confirmed)
       VALUES (@safe, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    modulePayment: db.prepare(
      `INSERT INTO payments (safe_id, safe_tx_hash, batch_index, token, to_address, amount, block_number, block_time, tx_hash, log_index, module, confirmed)
       VALUES (@safe, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    undecodedExecution: db.prepare(
      `INSERT INTO undecoded_executions (safe_id, safe_tx_hash, success, fee_payment, reason, block_number, block_time, tx_hash, log_index, confirmed)
       VALUES (@safe, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    approvedHash: db.prepare(
      `INSERT INTO approved_hashes (safe_id, approved_hash, owner, block_number, block_time, tx_hash, log_index, confirmed) VALUES (@safe, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // "+t.direction": found by the block range (transfers_block), never by direction (transfers_direction), which would
    // read every incoming transfer ever stored on each batch and make each batch slower as history grows.
    newDeposits: db.prepare(
      `SELECT t.token, t.from_address, t.amount, t.tx_hash, t.log_index, t.block_number, t.block_time,
              coalesce(k.symbol, CASE WHEN t.token IS NULL THEN 'ETH' END) AS symbol,
              coalesce(k.decimals, CASE WHEN t.token IS NULL THEN 18 END) AS decimals
         FROM transfers t LEFT JOIN tokens k ON k.safe_id = t.safe_id AND k.address = t.token
        WHERE t.safe_id = @safe AND t.block_number > ? AND t.block_number <= ? AND t.confirmed = 0 AND +t.direction = 'in'
        ORDER BY t.block_number, t.log_index`,
    ),
    newExecutions: db.prepare(
      `SELECT safe_tx_hash, nonce, success, tx_hash, block_number, block_time FROM safe_executions
        WHERE safe_id = @safe AND block_number > ? AND block_number <= ? AND confirmed = 0 ORDER BY block_number, log_index`,
    ),
    newPayments: db.prepare(
      `SELECT p.safe_tx_hash, p.token, k.symbol, k.decimals, p.to_address, p.amount FROM payments p LEFT JOIN tokens k ON k.safe_id = p.safe_id AND k.address = p.token
        WHERE p.safe_id = @safe AND p.block_number > ? AND p.block_number <= ? AND p.confirmed = 0 ORDER BY p.safe_tx_hash, p.batch_index`,
    ),
    newOwnerChanges: db.prepare(
      `SELECT kind, owner, threshold, tx_hash, log_index, block_number, block_time FROM owner_changes
        WHERE safe_id = @safe AND block_number > ? AND block_number <= ? AND confirmed = 0 AND kind != 'setup' ORDER BY block_number, log_index`,
    ),
    /** Whether any row waits for confirmation in a block range: one look instead of the reads and updates below, which a quiet range (most, when following the head) does not need. */
    anyUnconfirmed: db.prepare(
      `SELECT ${confirmableTables
        .map((table) => `EXISTS (SELECT 1 FROM ${table} WHERE safe_id = @safe AND block_number > @after AND block_number <= @upTo AND confirmed = 0)`)
        .join(" OR ")} AS found`,
    ),
    tokenDescription: db.prepare("SELECT symbol, decimals FROM tokens WHERE safe_id = @safe AND address = ?"),
    confirm: Object.fromEntries(
      confirmableTables.map((table) => [
        table,
        db.prepare(`UPDATE ${table} SET confirmed = 1 WHERE safe_id = @safe AND block_number > ? AND block_number <= ? AND confirmed = 0`),
      ]),
    ) as Record<(typeof confirmableTables)[number], Statement>,
  };
}

function statementsFor(db: TreasuryDatabase) {
  let prepared = statements.get(db);
  if (!prepared) statements.set(db, (prepared = prepare(db)));
  return prepared;
}

/**
 * Writes one range's rows, its blocks and the new checkpoint, confirms what is
 * now deep enough and puts what people should hear about in the outbox — all
 * in one SQLite transaction. Returns only after it is committed; if the
 * process dies before, none of it is there.
 *
 * Rows already deep enough are written confirmed, and their outbox entries are
 * made from the batch itself, with the same payloads as when an earlier row is
 * confirmed later (`confirmUpTo`): a backfill never reads its rows back.
 */
export function writeBatch(db: TreasuryDatabase, parameters: WriteBatchParameters): WriteBatchReturnType {
  const s = statementsFor(db);
  const { batch, headers, checkpoint, confirmedUpTo, newTokens } = parameters;
  const confirmedThrough = Math.min(confirmedUpTo, checkpoint.number);
  const confirmed = (row: ChainPosition) => (row.blockNumber <= confirmedThrough ? 1 : 0);
  return connectionOf(db).transaction((): WriteBatchReturnType => {
    // Earlier batches' rows that are deep enough now come first, as they are older.
    let announced = confirmUpTo(db, confirmedThrough);
    let rows = 0;
    const blocksWithRows = new Set<number>();
    for (const token of newTokens) s.token.run(token.address, token.symbol, token.name, token.decimals);
    for (const e of batch.executions) {
      s.execution.run(
        e.safeTxHash, e.nonce, e.to, e.value.toString(), e.data, e.operation, e.safeTxGas.toString(), e.baseGas.toString(),
        e.gasPrice.toString(), e.gasToken, e.refundReceiver, e.signatures, e.success ? 1 : 0, e.feePayment.toString(), e.executor,
        e.blockNumber, e.blockTime, e.txHash, e.logIndex, confirmed(e),
      );
      for (const signer of e.signers) s.signer.run(e.safeTxHash, signer.owner, signer.kind, e.blockNumber);
      for (const p of e.payments)
        s.payment.run(e.safeTxHash, p.batchIndex, p.token, p.to, p.amount.toString(), e.blockNumber, e.blockTime, e.txHash, e.logIndex, confirmed(e));
      rows += 1 + e.signers.length + e.payments.length;
      blocksWithRows.add(e.blockNumber);
    }
    for (const t of batch.transfers) {
      s.transfer.run(t.direction, t.token, t.from, t.to, t.amount.toString(), t.blockNumber, t.blockTime, t.txHash, t.logIndex, confirmed(t));
      blocksWithRows.add(t.blockNumber);
    }
    for (const o of batch.ownerChanges) {
      s.ownerChange.run(o.kind, o.owner, o.threshold, o.owners ? JSON.stringify(o.owners) : null, o.blockNumber, o.blockTime, o.txHash, o.logIndex, confirmed(o));
      blocksWithRows.add(o.blockNumber);
    }
    for (const m of batch.moduleEvents) {
      s.moduleEvent.run(m.kind, m.address, m.blockNumber, m.blockTime, m.txHash, m.logIndex, confirmed(m));
      blocksWithRows.add(m.blockNumber);
    }
    for (const a of batch.approvedHashes) {
      s.approvedHash.run(a.approvedHash, a.owner, a.blockNumber, a.blockTime, a.txHash, a.logIndex, confirmed(a));
      blocksWithRows.add(a.blockNumber);
    }
    for (const m of batch.moduleExecutions ?? []) {
      s.moduleExecution.run(
        m.module, m.success ? 1 : 0, m.call?.to ?? null, m.call?.value.toString() ?? null, m.call?.data ?? null, m.call?.operation ?? null,
        m.reason, m.blockNumber, m.blockTime, m.txHash, m.logIndex, confirmed(m),
      );
      const key = moduleExecutionKey(m);
      for (const p of m.payments)
        s.modulePayment.run(key, p.batchIndex, p.token, p.to, p.amount.toString(), m.blockNumber, m.blockTime, m.txHash, m.logIndex, m.module, confirmed(m));
      rows += 1 + m.payments.length;
      blocksWithRows.add(m.blockNumber);
    }
    for (const u of batch.undecodedExecutions ?? []) {
      s.undecodedExecution.run(u.safeTxHash, u.success ? 1 : 0, u.feePayment.toString(), u.reason, u.blockNumber, u.blockTime, u.txHash, u.logIndex, confirmed(u));
      rows++;
      blocksWithRows.add(u.blockNumber);
    }
    rows += batch.transfers.length + batch.ownerChanges.length + batch.moduleEvents.length + batch.approvedHashes.length;
    blocksWithRows.add(checkpoint.number);
    for (const number of blocksWithRows) {
      const header = number === checkpoint.number ? checkpoint : headers.get(number);
      if (header) s.block.run(header.number, header.hash, header.parentHash, header.timestamp);
    }
    s.checkpoint.run(checkpoint.number, checkpoint.hash);
    announced += announce(db, confirmedInBatch(db, batch, confirmedThrough));
    return { rows, announced };
  })();
}

/** Rows as the outbox's payloads are made from them: the mirror's columns, with the token's symbol and decimals when known. */
type ConfirmedRows = {
  deposits: { token: string | null; from_address: string; amount: string; tx_hash: string; log_index: number; block_number: number; block_time: number; symbol: string | null; decimals: number | null }[];
  executions: { safe_tx_hash: string; nonce: number; success: number; tx_hash: string; block_number: number; block_time: number }[];
  /** In batch order within each SafeTx. */
  payments: { safe_tx_hash: string; token: string | null; symbol: string | null; decimals: number | null; to_address: string; amount: string }[];
  ownerChanges: { kind: "added" | "removed" | "threshold"; owner: string | null; threshold: number | null; tx_hash: string; log_index: number; block_number: number; block_time: number }[];
};

/** The batch's rows at or below `confirmedThrough`, in the shape and order `confirmUpTo` reads them from the mirror. */
function confirmedInBatch(db: TreasuryDatabase, batch: ChainMirrorRows, confirmedThrough: number): ConfirmedRows {
  const described = new Map<string, { symbol: string | null; decimals: number | null }>();
  const describe = (token: string | null) => {
    if (token === null) return { symbol: null, decimals: null }; // the native coin: `announce` names it
    let description = described.get(token);
    if (!description) {
      const row = statementsFor(db).tokenDescription.get(token) as { symbol: string; decimals: number } | undefined;
      described.set(token, (description = { symbol: row?.symbol ?? null, decimals: row?.decimals ?? null }));
    }
    return description;
  };
  const deep = <Row extends ChainPosition>(rows: readonly Row[]) =>
    rows.filter((row) => row.blockNumber <= confirmedThrough).sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
  const executions = deep(batch.executions);
  return {
    deposits: deep(batch.transfers.filter((t) => t.direction === "in")).map((t) => ({
      token: t.token, from_address: t.from, amount: t.amount.toString(), tx_hash: t.txHash, log_index: t.logIndex, block_number: t.blockNumber, block_time: t.blockTime,
      ...describe(t.token),
    })),
    executions: executions.map((e) => ({ safe_tx_hash: e.safeTxHash, nonce: e.nonce, success: e.success ? 1 : 0, tx_hash: e.txHash, block_number: e.blockNumber, block_time: e.blockTime })),
    payments: executions.flatMap((e) =>
      [...e.payments].sort((a, b) => a.batchIndex - b.batchIndex).map((p) => ({ safe_tx_hash: e.safeTxHash, token: p.token, ...describe(p.token), to_address: p.to, amount: p.amount.toString() })),
    ),
    ownerChanges: deep(batch.ownerChanges).flatMap((o) =>
      o.kind === "setup" ? [] : [{ kind: o.kind, owner: o.owner, threshold: o.threshold ?? null, tx_hash: o.txHash, log_index: o.logIndex, block_number: o.blockNumber, block_time: o.blockTime }],
    ),
  };
}

/**
 * Marks rows up to `blockNumber` confirmed and writes the outbox entries for
 * those people should hear about: funds in, a SafeTx executed, an owner or
 * threshold change. Each (kind, ref) is written once, ever; entries at or below
 * meta `announce_after_block` are written as already delivered. Call inside a transaction.
 */
export function confirmUpTo(db: TreasuryDatabase, blockNumber: number): number {
  const s = statementsFor(db);
  const after = Number(readMeta(db, "confirmed_block") ?? -1);
  if (blockNumber <= after) return 0;
  if (!(s.anyUnconfirmed.get({ after, upTo: blockNumber }) as { found: number | boolean }).found) {
    writeMeta(db, "confirmed_block", String(blockNumber));
    return 0;
  }
  const announced = announce(db, {
    deposits: s.newDeposits.all(after, blockNumber) as ConfirmedRows["deposits"],
    executions: s.newExecutions.all(after, blockNumber) as ConfirmedRows["executions"],
    payments: s.newPayments.all(after, blockNumber) as ConfirmedRows["payments"],
    ownerChanges: s.newOwnerChanges.all(after, blockNumber) as ConfirmedRows["ownerChanges"],
  });
  for (const table of confirmableTables) s.confirm[table].run(after, blockNumber);
  writeMeta(db, "confirmed_block", String(blockNumber));
  return announced;
}

/** Writes the outbox entries for confirmed rows: deposits, then executions with their payments, then owner changes. Returns how many are new. */
function announce(db: TreasuryDatabase, rows: ConfirmedRows): number {
  const quietUpTo = Number(readMeta(db, "announce_after_block") ?? -1);
  let announced = 0;
  const coin = readNativeCoin(db);
  const entry = (kind: string, ref: string, payload: unknown, at: number) => {
    if (insertOutboxEntry(db, { kind, ref, payload, blockNumber: at, alreadyDelivered: at <= quietUpTo })) announced++;
  };

  for (const d of rows.deposits)
    entry(
      "funds_received",
      `${d.tx_hash}:${d.log_index}`,
      { token: d.token, symbol: d.token === null ? coin.symbol : d.symbol, decimals: d.token === null ? coin.decimals : d.decimals, amount: d.amount, from: d.from_address, txHash: d.tx_hash, blockTime: d.block_time },
      d.block_number,
    );

  const paymentsOf = new Map<string, { token: string | null; symbol: string | null; decimals: number | null; to: string; amount: string }[]>();
  for (const p of rows.payments) {
    const list = paymentsOf.get(p.safe_tx_hash) ?? [];
    list.push({ token: p.token, symbol: p.token === null ? coin.symbol : p.symbol, decimals: p.token === null ? coin.decimals : p.decimals, to: p.to_address, amount: p.amount });
    paymentsOf.set(p.safe_tx_hash, list);
  }
  for (const e of rows.executions) {
    const payments = paymentsOf.get(e.safe_tx_hash) ?? [];
    entry(
      "transaction_executed",
      e.safe_tx_hash,
      { safeTxHash: e.safe_tx_hash, nonce: e.nonce, success: e.success === 1, txHash: e.tx_hash, blockTime: e.block_time, payments },
      e.block_number,
    );
  }

  for (const o of rows.ownerChanges)
    entry(
      "owners_changed",
      `${o.tx_hash}:${o.log_index}`,
      {
        kind: o.kind,
        ...(o.owner ? { owner: o.owner } : {}),
        ...(o.threshold !== null ? { threshold: o.threshold } : {}),
        txHash: o.tx_hash,
        blockTime: o.block_time,
      },
      o.block_number,
    );
  return announced;
}

/** Records tokens the chain mirror knows (first description wins). */
export function recordTokens(db: TreasuryDatabase, tokens: readonly TokenMetadata[]): void {
  const insert = statement(db, "INSERT OR IGNORE INTO tokens (safe_id, address, symbol, name, decimals) VALUES (@safe, ?, ?, ?, ?)");
  connectionOf(db).transaction(() => {
    for (const token of tokens) insert.run(token.address, token.symbol, token.name, token.decimals);
  })();
}

/**
 * Deletes everything indexed above `ancestor` (every chain-mirror row, the
 * blocks, and outbox entries not yet delivered) and moves the checkpoint back
 * to it, in one transaction. With no ancestor, the mirror is emptied and the
 * indexer starts over. Delivered outbox entries stay: they were said, and a
 * re-applied event with the same reference is not said again.
 */
export function rollbackTo(db: TreasuryDatabase, ancestor: BlockHeader | undefined): { removedRows: number } {
  const above = ancestor?.number ?? -1;
  return connectionOf(db).transaction(() => {
    let removedRows = 0;
    for (const table of chainMirrorTables) {
      if (table === "checkpoint") continue;
      const column = table === "blocks" ? "number" : "block_number";
      const result = statement(db, `DELETE FROM ${table} WHERE safe_id = @safe AND ${column} > ?`).run(above);
      if (table !== "blocks") removedRows += result.changes;
    }
    deleteUndeliveredOutboxAbove(db, above);
    if (ancestor) {
      statementsFor(db).block.run(ancestor.number, ancestor.hash, ancestor.parentHash, ancestor.timestamp);
      statementsFor(db).checkpoint.run(ancestor.number, ancestor.hash);
    } else {
      statement(db, "DELETE FROM checkpoint WHERE safe_id = @safe").run();
    }
    const confirmed = Number(readMeta(db, "confirmed_block") ?? -1);
    if (confirmed > above) writeMeta(db, "confirmed_block", String(above));
    return { removedRows };
  })();
}

/**
 * Empties the chain mirror (the workflow tables stay), so the indexer rebuilds
 * it from the chain. What was announced up to `announcedUpTo` is not announced
 * again when the rebuild replays it.
 */
export function emptyChainMirror(db: TreasuryDatabase, announcedUpTo: number): void {
  connectionOf(db).transaction(() => {
    for (const table of chainMirrorTables) statement(db, `DELETE FROM ${table} WHERE safe_id = @safe`).run();
    writeMeta(db, "announce_after_block", String(announcedUpTo));
  })();
}

/** Marks an empty mirror as confirming from scratch (before its first batch). */
export function startConfirmingFromScratch(db: TreasuryDatabase): void {
  writeMeta(db, "confirmed_block", "-1");
}
