import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectionOf } from "../../db/connection.ts";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { readFloatVectors, writeVectors } from "../../db/vectors.ts";
import { useVectorModel } from "../../search/vectors.ts";
import { closeDatabase } from "../helpers/database.ts";
import { openSafeDatabase } from "../helpers/safe-database.ts";

describe("db/vectors writeVectors: the vectors of live activity rows and their records, in one transaction", () => {
  let db: TreasuryDatabase;
  const dims = 8;
  const vectorOf = (id: number) => Float32Array.from({ length: dims }, (_, i) => id + i / 8);

  beforeEach(() => {
    // The in-process index's store (pgvector off): floats in activity_vectors on both engines.
    db = openSafeDatabase(join(mkdtempSync(join(tmpdir(), "vectors-")), "t.db"), { pgvector: "off" });
    useVectorModel(db, "model-a", dims);
    for (const id of [1, 2, 3])
      connectionOf(db)
        .prepare("INSERT INTO activity (safe_id, id, ref, kind, occurred_at, title, body, content_hash, updated_at) VALUES (1, ?, ?, 'message', 0, 't', 'b', ?, 0)")
        .run(id, `test:${id}`, `hash-${id}`);
  });
  afterEach(() => closeDatabase(db));

  it("stores each live row's vector exactly, records its model and text hash, and skips a row removed while it was embedded", () => {
    const given = [1, 2, 3, 4].map((id) => ({ id, contentHash: `hash-${id}`, vector: vectorOf(id) }));
    const { written } = writeVectors(db, "model-a", given);
    assert.deepEqual(written.map((stored) => stored.id), [1, 2, 3]);
    assert.deepEqual(
      readFloatVectors(db, 0, 10).map(({ id, vector }) => ({ id, vector: [...vector] })),
      [1, 2, 3].map((id) => ({ id, vector: [...vectorOf(id)] })),
    );
    const records = connectionOf(db).prepare("SELECT activity_id, model, content_hash FROM activity_embeddings ORDER BY activity_id").all() as Array<Record<string, unknown>>;
    assert.deepEqual(
      records.map((row) => ({ id: Number(row.activity_id), model: row.model, hash: row.content_hash })),
      [1, 2, 3].map((id) => ({ id, model: "model-a", hash: `hash-${id}` })),
    );
  });

  it("replaces a row's vector and record when it is embedded again", () => {
    writeVectors(db, "model-a", [{ id: 2, contentHash: "hash-2", vector: vectorOf(2) }]);
    writeVectors(db, "model-a", [{ id: 2, contentHash: "hash-2b", vector: vectorOf(20) }]);
    assert.deepEqual(readFloatVectors(db, 0, 10).map(({ id, vector }) => ({ id, vector: [...vector] })), [{ id: 2, vector: [...vectorOf(20)] }]);
    const record = connectionOf(db).prepare("SELECT content_hash FROM activity_embeddings WHERE activity_id = 2").get() as { content_hash: string };
    assert.equal(record.content_hash, "hash-2b");
  });
});
