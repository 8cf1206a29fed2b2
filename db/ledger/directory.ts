import type { ReadableDatabase } from "../handle.ts";
import { oneOffStatement } from "../connection.ts";
import { readNativeCoin, type NativeCoin } from "../chain-mirror/native-coin.ts";

export type TokenEntry = { address: string; symbol: string; name: string; decimals: number };
export type BookEntry = { address: string; label: string; category: string | null; kind: string | null; note: string | null };
export type MemberEntry = { id: string; name: string; slackUserId: string | null; role: string; addresses: string[] };

/** What the names in a question can refer to: tokens, the address book, members and the categories in use. */
export type LedgerDirectory = {
  tokens: TokenEntry[];
  /** The chain's own coin (payments and deposits with no token address). */
  native: NativeCoin;
  book: BookEntry[];
  members: MemberEntry[];
  /** Categories on proposals and in the address book, as written. */
  categories: string[];
};

/** Reads the directory of the handle's Safe (its tokens; its workspace's people and payees). Small tables only: cheap to read for every question. */
export function readDirectory(db: ReadableDatabase): LedgerDirectory {
  const tokens = (oneOffStatement(db, "SELECT DISTINCT address, symbol, name, decimals FROM tokens WHERE safe_id = @safe ORDER BY symbol").all() as TokenEntry[]).map((t) => ({ ...t, decimals: Number(t.decimals) }));
  const book = oneOffStatement(db, "SELECT address, label, category, kind, note FROM address_book WHERE workspace = @workspace ORDER BY label").all() as BookEntry[];
  const links = oneOffStatement(db, "SELECT member_id, address FROM wallet_links WHERE workspace = @workspace ORDER BY linked_at").all() as { member_id: string; address: string }[];
  const members = (oneOffStatement(db, "SELECT id, name, slack_user_id, role FROM members WHERE workspace = @workspace ORDER BY name").all() as { id: string; name: string; slack_user_id: string | null; role: string }[]).map(
    (row) => ({ id: row.id, name: row.name, slackUserId: row.slack_user_id, role: row.role, addresses: links.filter((l) => l.member_id === row.id).map((l) => l.address) }),
  );
  const categories = oneOffStatement(db,
    "SELECT category FROM proposals WHERE safe_id = @safe AND category IS NOT NULL UNION SELECT category FROM address_book WHERE workspace = @workspace AND category IS NOT NULL")
    .pluck()
    .all() as string[];
  return { tokens, native: readNativeCoin(db), book, members, categories };
}
