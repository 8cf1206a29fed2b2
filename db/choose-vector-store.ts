import { connectionOf, engineOf } from "./connection.ts";
import type { TreasuryDatabase } from "./handle.ts";
import { writeMeta } from "./meta.ts";
import {
  PgvectorRefusedError,
  createPgvectorIndex,
  createPgvectorTable,
  dropPgvectorTable,
  installPgvector,
  pgvectorOffer,
  pgvectorTableDimensions,
  readPgvectors,
  writePgvectors,
} from "./pgvector.ts";
import { lockVectorStore, readVectorStoreSettings, vectorStoreKeys, type VectorStore } from "./vector-store.ts";
import { bumpVectorsVersion, clearFloatVectors, readFloatVectors, vectorModel, writeFloatVectors } from "./vectors.ts";

export type ChooseVectorStoreParameters = {
  /** "auto": pgvector when the server offers it and the role may create or use it; "off": the in-process binary index, always. */
  pgvector: "auto" | "off";
};

export type ChooseVectorStoreReturnType = {
  store: VectorStore;
  /** Why pgvector is not used although the server offers it. */
  note?: string;
  /** How many vectors were moved from the other store (0 when the choice did not change). */
  moved: number;
};

/** The note recorded when pgvector is turned off by the deployment. */
export const pgvectorTurnedOff = "turned off (PGVECTOR=off, or pgvector=off in DATABASE_URL)";

const batch = 1000;

/**
 * Decides which store serves vector search on a PostgreSQL database and
 * records it in `meta`, where every process reads it (db/vector-store.ts).
 * pgvector serves when `pgvector` is "auto", the server offers the extension,
 * and it is installed or this role can install it (in `public`, once per
 * database); otherwise the in-process binary index does, and the reason is
 * recorded for /healthz.
 *
 * When the choice differs from the recorded one (the extension was added
 * later, or turned off), every stored vector is moved to the chosen store in
 * one transaction, under an exclusive lock that vector writes wait for, so no
 * vector is lost and none needs re-embedding; the vectors' version token
 * changes, so in-memory copies reload. Does nothing on SQLite.
 */
export function chooseVectorStore(db: TreasuryDatabase, { pgvector }: ChooseVectorStoreParameters): ChooseVectorStoreReturnType {
  if (engineOf(db) !== "postgres") return { store: "in-process", moved: 0 };
  const wanted = wantedStore(db, pgvector);
  const recorded = readVectorStoreSettings(db);
  if (recorded.store === wanted.store && recorded.schema === wanted.schema && recorded.note === wanted.note) return { store: wanted.store, note: wanted.note, moved: 0 };
  return connectionOf(db).transaction(() => {
    lockVectorStore(db, "exclusive");
    const current = readVectorStoreSettings(db);
    let moved = 0;
    // (Only the extension's schema changing moves nothing: the column's type follows the extension.)
    if (current.store !== wanted.store) {
      moved = wanted.store === "pgvector" ? moveToPgvector(db, wanted.schema!) : moveToFloats(db);
      bumpVectorsVersion(db);
    }
    writeMeta(db, vectorStoreKeys.store, wanted.store);
    writeMeta(db, vectorStoreKeys.schema, wanted.schema ?? "");
    writeMeta(db, vectorStoreKeys.note, wanted.note ?? "");
    return { store: wanted.store, note: wanted.note, moved };
  })();
}

function wantedStore(db: TreasuryDatabase, pgvector: "auto" | "off"): { store: VectorStore; schema?: string; note?: string } {
  const offer = pgvectorOffer(db);
  if (!offer.offered) return { store: "in-process" };
  if (pgvector === "off") return { store: "in-process", note: pgvectorTurnedOff };
  if (offer.schema) return { store: "pgvector", schema: offer.schema };
  try {
    return { store: "pgvector", schema: installPgvector(db) };
  } catch (error) {
    if (error instanceof PgvectorRefusedError) return { store: "in-process", note: error.shortMessage };
    throw error;
  }
}

/** Moves the floats of `activity_vectors` into a new `activity_pgvectors` (index built after the fill). Returns how many. */
function moveToPgvector(db: TreasuryDatabase, schema: string): number {
  const dimensions = vectorModel(db)?.dimensions;
  if (!dimensions) return 0;
  createPgvectorTable(db, schema, dimensions, { index: false });
  let moved = 0;
  for (let after = 0; ; ) {
    const rows = readFloatVectors(db, after, batch);
    if (rows.length === 0) break;
    writePgvectors(db, schema, rows);
    moved += rows.length;
    after = rows.at(-1)!.id;
  }
  clearFloatVectors(db);
  createPgvectorIndex(db, schema, dimensions);
  return moved;
}

/** Moves pgvector's vectors back into `activity_vectors` and drops pgvector's table. Returns how many. */
function moveToFloats(db: TreasuryDatabase): number {
  if (pgvectorTableDimensions(db) === undefined) return 0;
  let moved = 0;
  for (let after = 0; ; ) {
    const rows = readPgvectors(db, after, batch);
    if (rows.length === 0) break;
    writeFloatVectors(db, rows);
    moved += rows.length;
    after = rows.at(-1)!.id;
  }
  dropPgvectorTable(db);
  return moved;
}
