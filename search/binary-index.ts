import type { ReadableDatabase } from "../db/handle.ts";
import { countEmbeddings, quantizeBinary, readBinaryVectors, readVectorsVersion, type VectorsVersionChange } from "../db/vectors.ts";

/**
 * An in-memory copy of the binary-quantized vectors (`activity_vec_bit`) with
 * a WebAssembly SIMD Hamming scan, for finding rescoring candidates.
 *
 * Why: sqlite-vec 0.1.9's vec0 KNN gets about linearly slower with k (at 100k
 * rows 9 ms for k = 10, 47 ms for k = 200, 314 ms for k = 1000), so it can only
 * afford a few dozen candidates, and at a million rows a few dozen binary
 * candidates miss most of the true nearest rows. This scan computes every
 * row's Hamming distance (64 bytes each at 512 dimensions: 64 MB for a million
 * rows, about 10-20 ms on one core), keeps a histogram of the distances, and
 * picks the `count` nearest in O(rows) without sorting, so the cost does not
 * depend on how many candidates are taken.
 *
 * Guarantees:
 * - It never returns an answer from stale vectors: every write of the vector
 *   tables stores a new random token in meta (`db/vectors.ts`). The copy
 *   remembers the token it matches; a query that sees another token reloads
 *   the copy from SQLite first. Writes through this process then patch a
 *   loaded copy in place (`vectorsChanged`, so an embedding worker draining a
 *   backlog does not force reloads) when the copy was current before the write.
 * - It is only a candidate generator: the caller rescores candidates with the
 *   float vectors read from SQLite, so a row removed meanwhile cannot appear.
 * - When WebAssembly SIMD is not available, `binaryCandidates` returns
 *   undefined and the caller falls back to sqlite-vec's KNN.
 */

/** Tells the loaded copy (if any) that a committed write changed the vector tables: it is patched when it was current, else dropped. */
export function vectorsChanged(db: ReadableDatabase, { before, after }: VectorsVersionChange, patch?: (index: LoadedIndex) => void): void {
  const index = loaded.get(db);
  if (!index) return;
  if (patch && index.version === before && index.version !== undefined) {
    patch(index);
    index.version = after;
  } else loaded.delete(db); // reload on the next query
}


/*
 * The scan, hand-assembled WebAssembly (validated at load; no toolchain needed):
 *
 * (func (export "hamming") (param $q i32) (param $p i32) (param $n i32) (param $chunks i32) (param $out i32) (param $hist i32)
 *   (local $acc v128) (local $t v128) (local $j i32) (local $end i32) (local $stride i32) (local $d i32)
 *   end = out + n*2; stride = chunks*16
 *   for each of the n vectors at p (stride bytes each, 16-byte chunks):
 *     acc = 0; for j < chunks: acc = i16x8.add(acc, i16x8.extadd_pairwise_i8x16_u(i8x16.popcnt(v128.xor(p[j], q[j]))))
 *     d = sum of the lanes of acc; out[i] = d (u16); hist[d] += 1 (u32); p += stride
 */
// prettier-ignore
const hammingCode = [
  0x02, 0x02, 0x7b, 0x04, 0x7f,                                 // locals: 2 x v128, 4 x i32
  0x20, 4, 0x20, 2, 0x41, 1, 0x74, 0x6a, 0x21, 9,               // end = out + (n << 1)
  0x20, 3, 0x41, 4, 0x74, 0x21, 10,                             // stride = chunks << 4
  0x02, 0x40, 0x03, 0x40,                                       // block, loop (each vector)
  0x20, 4, 0x20, 9, 0x4f, 0x0d, 1,                              //   out >= end: done
  0xfd, 0x0c, ...new Array(16).fill(0), 0x21, 6,                //   acc = 0
  0x41, 0, 0x21, 8,                                             //   j = 0
  0x03, 0x40,                                                   //   loop (each chunk)
  0x20, 6,                                                      //     acc +
  0x20, 1, 0x20, 8, 0x41, 4, 0x74, 0x6a, 0xfd, 0x00, 4, 0,      //     v128.load(p + j*16)
  0x20, 0, 0x20, 8, 0x41, 4, 0x74, 0x6a, 0xfd, 0x00, 4, 0,      //     v128.load(q + j*16)
  0xfd, 0x51, 0xfd, 0x62, 0xfd, 0x7d, 0xfd, 0x8e, 0x01, 0x21, 6, //     xor, popcnt, extadd pairwise, add
  0x20, 8, 0x41, 1, 0x6a, 0x22, 8, 0x20, 3, 0x49, 0x0d, 0,      //     j += 1; j < chunks: again
  0x0b,                                                         //   end
  0x20, 4,                                                      //   store16 address: out
  0x20, 6, 0xfd, 0x7f, 0x22, 7, 0xfd, 0x1b, 0,                  //   t = i32x4 pairwise sums; lane 0
  0x20, 7, 0xfd, 0x1b, 1, 0x6a,                                 //   + lane 1
  0x20, 7, 0xfd, 0x1b, 2, 0x6a,                                 //   + lane 2
  0x20, 7, 0xfd, 0x1b, 3, 0x6a,                                 //   + lane 3
  0x22, 11, 0x3b, 1, 0,                                         //   out[i] = d
  0x20, 5, 0x20, 11, 0x41, 2, 0x74, 0x6a, 0x22, 11,             //   address hist + d*4
  0x20, 11, 0x28, 2, 0, 0x41, 1, 0x6a, 0x36, 2, 0,              //   hist[d] += 1
  0x20, 1, 0x20, 10, 0x6a, 0x21, 1,                             //   p += stride
  0x20, 4, 0x41, 2, 0x6a, 0x21, 4,                              //   out += 2
  0x0c, 0,                                                      //   next vector
  0x0b, 0x0b, 0x0b,
];

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}
const section = (id: number, bytes: number[]) => [id, ...leb(bytes.length), ...bytes];
const name = (text: string) => [...leb(text.length), ...Buffer.from(text)];

const hammingModule: WebAssembly.Module | undefined = (() => {
  const bytes = Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [1, 0x60, 6, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]), // (i32 x 6) -> ()
    ...section(2, [1, ...name("env"), ...name("memory"), 2, 0, 1]), // imports env.memory
    ...section(3, [1, 0]),
    ...section(7, [1, ...name("hamming"), 0, 0]),
    ...section(10, [1, ...leb(hammingCode.length), ...hammingCode]),
  ]);
  try {
    return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : undefined;
  } catch {
    return undefined;
  }
})();

type Hamming = (query: number, base: number, count: number, chunks: number, out: number, histogram: number) => void;

/** The loaded copy for one database connection. */
export type LoadedIndex = {
  version: string | undefined;
  /** Bytes per vector as stored (dims / 8) and as laid out (padded to 16). */
  bytes: number;
  stride: number;
  bits: number;
  size: number;
  capacity: number;
  ids: Float64Array;
  slotOf: Map<number, number>;
  memory: WebAssembly.Memory;
  /** A byte view of `memory`. */
  heap: Uint8Array;
  hamming: Hamming;
  /** Offsets in memory: query, histogram, distances, vectors. */
  queryAt: number;
  histogramAt: number;
  distancesAt: number;
  vectorsAt: number;
  put: (id: number, bits: Uint8Array) => void;
  remove: (id: number) => void;
};

const loaded = new WeakMap<ReadableDatabase, LoadedIndex>();

function createIndex(bytes: number, capacity: number): LoadedIndex {
  const stride = Math.ceil(bytes / 16) * 16;
  const bits = bytes * 8;
  const queryAt = 0;
  const histogramAt = stride;
  const distancesAt = histogramAt + Math.ceil(((bits + 1) * 4) / 16) * 16;
  const vectorsAt = distancesAt + Math.ceil((capacity * 2) / 16) * 16;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((vectorsAt + capacity * stride) / 65536) + 1 });
  const instance = new WebAssembly.Instance(hammingModule!, { env: { memory } });
  const index: LoadedIndex = {
    version: undefined,
    bytes,
    stride,
    bits,
    size: 0,
    capacity,
    ids: new Float64Array(capacity),
    slotOf: new Map(),
    memory,
    heap: new Uint8Array(memory.buffer),
    hamming: instance.exports.hamming as Hamming,
    queryAt,
    histogramAt,
    distancesAt,
    vectorsAt,
    put(id, vector) {
      let slot = index.slotOf.get(id);
      if (slot === undefined) {
        if (index.size === index.capacity) grow(index);
        slot = index.size++;
        index.slotOf.set(id, slot);
        index.ids[slot] = id;
      }
      const at = index.vectorsAt + slot * index.stride;
      index.heap.set(vector.subarray(0, index.bytes), at);
      if (index.stride > index.bytes) index.heap.fill(0, at + index.bytes, at + index.stride);
    },
    remove(id) {
      const slot = index.slotOf.get(id);
      if (slot === undefined) return;
      const last = --index.size;
      index.slotOf.delete(id);
      if (slot !== last) {
        index.heap.copyWithin(index.vectorsAt + slot * index.stride, index.vectorsAt + last * index.stride, index.vectorsAt + (last + 1) * index.stride);
        index.ids[slot] = index.ids[last];
        index.slotOf.set(index.ids[slot], slot);
      }
    },
  };
  return index;
}

/** Doubles the capacity (a new memory; the vectors and ids are copied over). */
function grow(index: LoadedIndex): void {
  const bigger = createIndex(index.bytes, Math.max(1024, index.capacity * 2));
  new Uint8Array(bigger.memory.buffer).set(
    new Uint8Array(index.memory.buffer, index.vectorsAt, index.size * index.stride),
    bigger.vectorsAt,
  );
  bigger.ids.set(index.ids.subarray(0, index.size));
  Object.assign(index, {
    capacity: bigger.capacity,
    ids: bigger.ids,
    memory: bigger.memory,
    heap: bigger.heap,
    hamming: bigger.hamming,
    distancesAt: bigger.distancesAt,
    vectorsAt: bigger.vectorsAt,
  });
}

/** Loads (or returns the current) copy of `activity_vec_bit`; undefined without WebAssembly SIMD or vectors. */
export function loadBinaryIndex(db: ReadableDatabase, bytes: number): LoadedIndex | undefined {
  if (!hammingModule || bytes <= 0) return undefined;
  const version = readVectorsVersion(db);
  const current = loaded.get(db);
  if (current && current.version === version && current.bytes === bytes) return current;
  const index = createIndex(bytes, Math.max(1024, Math.ceil(countEmbeddings(db) * 1.1)));
  readBinaryVectors(
    db,
    bytes,
    (id, bits) => index.put(id, bits),
    () => {
      index.size = 0;
      index.slotOf.clear();
    },
  );
  index.version = version;
  loaded.set(db, index);
  return index;
}

/**
 * The ids of the `count` rows whose binary-quantized vectors are nearest to
 * `query`'s by Hamming distance (ties at the boundary broken by storage
 * order), unordered. Undefined when the in-memory scan is not available.
 */
export function binaryCandidates(db: ReadableDatabase, query: Float32Array, count: number): number[] | undefined {
  const index = loadBinaryIndex(db, query.length / 8);
  if (!index) return undefined;
  const { size, bits } = index;
  if (size === 0) return [];
  index.heap.fill(0, index.queryAt, index.histogramAt);
  index.heap.set(quantizeBinary(query), index.queryAt);
  const histogram = new Uint32Array(index.memory.buffer, index.histogramAt, bits + 1);
  histogram.fill(0);
  index.hamming(index.queryAt, index.vectorsAt, size, index.stride / 16, index.distancesAt, index.histogramAt);
  // The smallest distance `cutoff` with at least `count` rows at or below it.
  let cutoff = 0;
  let below = 0;
  while (cutoff < bits && below + histogram[cutoff] < count) below += histogram[cutoff++];
  let atCutoff = Math.min(count, size) - below;
  const distances = new Uint16Array(index.memory.buffer, index.distancesAt, size);
  const ids = index.ids;
  const out: number[] = [];
  for (let slot = 0; slot < size; slot++) {
    const d = distances[slot];
    if (d < cutoff) out.push(ids[slot]);
    else if (d === cutoff && atCutoff > 0) {
      out.push(ids[slot]);
      atCutoff--;
    }
  }
  return out;
}
