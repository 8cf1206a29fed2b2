declare const access: unique symbol;

/**
 * An open treasury database that can be written. Outside `db/` it is opaque:
 * only the `db/` modules run SQL, so every statement lives in one place and
 * each table has one module that writes it.
 */
export type TreasuryDatabase = { readonly [access]: "read-write" };

/**
 * A database handle that may only read. A read-only connection (the
 * assistant's) has this type, and no write function accepts it; SQLite itself
 * also refuses a write through it. A `TreasuryDatabase` can be used wherever
 * this is asked for.
 */
export type ReadableDatabase = { readonly [access]: "read-write" | "read-only" };
