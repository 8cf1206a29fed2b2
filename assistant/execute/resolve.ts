import * as Address from "ox/Address";
import type { LedgerDirectory } from "../../db/ledger/directory.ts";
import { nameSimilarity, nativeCoinWords, normalize } from "../text.ts";
import { AmbiguousNameError, UnknownNameError, type NameKind } from "./errors.ts";
import { shortAddress } from "../../core/short.ts";

/** A token as answers show it. `address` null = the chain's native coin. */
export type TokenInfo = { symbol: string; address: string | null; decimals: number };

export type ResolvedCounterparty = {
  label: string;
  addresses: string[];
  kind: string | null;
  /** Other address-book entries with the same name but another address (a new or look-alike address): not included. */
  variants: { label: string; address: string }[];
  /** 1 for an exact name; below 1 when the name was matched loosely. */
  confidence: number;
};

export type ResolvedPerson = { name: string; memberId: string | null; addresses: string[]; keys: string[] };

export type ResolvedCategory = { name: string; bookAddresses: string[] };

const baseOf = (label: string) => label.replace(/\s*\(.*\)\s*$/, "").trim();
const fuzzyFloor = 0.8;

type Candidate = { label: string; base: string; addresses: string[]; kind: string | null };

function counterpartyCandidates(directory: LedgerDirectory): Candidate[] {
  const candidates: Candidate[] = directory.book.map((entry) => ({ label: entry.label, base: baseOf(entry.label), addresses: [entry.address], kind: entry.kind }));
  for (const member of directory.members)
    if (member.addresses.length && !candidates.some((c) => normalize(c.label) === normalize(member.name)))
      candidates.push({ label: member.name, base: member.name, addresses: member.addresses, kind: "member" });
  return candidates;
}

/** Words of `name` all found, whole, among the words of `label`. */
function wordsWithin(name: string, label: string): boolean {
  const labelWords = new Set(normalize(label).split(" "));
  const words = normalize(name).split(" ").filter(Boolean);
  return words.length > 0 && words.every((word) => labelWords.has(word));
}

function pickAmong(what: NameKind, wanted: string, found: Candidate[], confidence: number): ResolvedCounterparty {
  const bases = new Map<string, Candidate[]>();
  for (const candidate of found) bases.set(normalize(candidate.base), [...(bases.get(normalize(candidate.base)) ?? []), candidate]);
  if (bases.size > 1) throw new AmbiguousNameError(what, wanted, [...bases.values()].map((list) => canonical(list).label));
  const list = [...bases.values()][0];
  const chosen = canonical(list);
  return {
    label: chosen.label,
    addresses: chosen.addresses,
    kind: chosen.kind,
    variants: list.filter((c) => c !== chosen).flatMap((c) => c.addresses.map((address) => ({ label: c.label, address }))),
    confidence,
  };
}

/** The entry named exactly as its base name (the original), else the shortest label. */
function canonical(list: Candidate[]): Candidate {
  return list.find((c) => c.label === c.base) ?? [...list].sort((a, b) => a.label.length - b.label.length)[0];
}

/**
 * Resolves a payee or sender: an address as given, an address-book label or a
 * member's name (exact, then every word of the name within one label, then
 * close spelling). Throws `UnknownNameError` with the closest names when
 * nothing fits, `AmbiguousNameError` when several different names fit.
 */
export function resolveCounterparty(directory: LedgerDirectory, wanted: string, what: NameKind = "payee"): ResolvedCounterparty {
  const text = wanted.trim();
  const candidates = counterpartyCandidates(directory);
  if (Address.validate(text, { strict: false })) {
    const address = Address.checksum(text);
    const known = candidates.find((c) => c.addresses.some((a) => a.toLowerCase() === address.toLowerCase()));
    return { label: known?.label ?? shortAddress(address), addresses: [address], kind: known?.kind ?? null, variants: [], confidence: 1 };
  }
  const target = normalize(text);
  if (!target) throw new UnknownNameError(what, wanted, []);
  const exact = candidates.filter((c) => normalize(c.label) === target);
  if (exact.length) return { ...pickAmong(what, wanted, exact, 1), variants: variantsOf(candidates, exact[0]) };
  const base = candidates.filter((c) => normalize(c.base) === target);
  if (base.length) return pickAmong(what, wanted, base, 1);
  const within = candidates.filter((c) => wordsWithin(text, c.label));
  if (within.length) return pickAmong(what, wanted, within, 0.95);
  const scored = candidates.map((c) => ({ c, score: Math.max(nameSimilarity(text, c.label), nameSimilarity(text, c.base)) })).sort((a, b) => b.score - a.score);
  const best = scored[0];
  if (best && best.score >= fuzzyFloor) {
    const close = scored.filter((s) => s.score >= best.score - 0.03).map((s) => s.c);
    return pickAmong(what, wanted, close, Math.round(best.score * 100) / 100);
  }
  throw new UnknownNameError(what, wanted, closestLabels(scored.map((s) => ({ label: canonical([s.c]).label, score: s.score }))));
}

function variantsOf(candidates: Candidate[], chosen: Candidate) {
  return candidates
    .filter((c) => c !== chosen && normalize(c.base) === normalize(chosen.base))
    .flatMap((c) => c.addresses.map((address) => ({ label: c.label, address })));
}

function closestLabels(scored: { label: string; score: number }[], count = 3): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const entry of [...scored].sort((a, b) => b.score - a.score)) {
    if (seen.has(entry.label) || entry.score < 0.25) continue;
    seen.add(entry.label);
    out.push(entry.label);
    if (out.length === count) break;
  }
  return out;
}

/** Resolves a member (proposer, approver, author) by name, first name, member id, Slack id or address. */
export function resolvePerson(directory: LedgerDirectory, wanted: string): ResolvedPerson {
  const text = wanted.trim();
  const keysOf = (m: LedgerDirectory["members"][number]) => [m.id, m.name, ...(m.slackUserId ? [m.slackUserId] : []), ...m.addresses];
  const asPerson = (m: LedgerDirectory["members"][number]): ResolvedPerson => ({ name: m.name, memberId: m.id, addresses: m.addresses, keys: keysOf(m) });
  if (Address.validate(text, { strict: false })) {
    const member = directory.members.find((m) => m.addresses.some((a) => a.toLowerCase() === text.toLowerCase()));
    if (member) return asPerson(member);
    const entry = directory.book.find((e) => e.address.toLowerCase() === text.toLowerCase());
    return { name: entry?.label ?? shortAddress(text), memberId: null, addresses: [Address.checksum(text)], keys: [text] };
  }
  const byKey = directory.members.find((m) => m.id.toLowerCase() === text.toLowerCase() || m.slackUserId?.toLowerCase() === text.toLowerCase());
  if (byKey) return asPerson(byKey);
  const target = normalize(text);
  const exact = directory.members.filter((m) => normalize(m.name) === target);
  const within = exact.length ? exact : directory.members.filter((m) => wordsWithin(text, m.name));
  if (within.length === 1) return asPerson(within[0]);
  if (within.length > 1) throw new AmbiguousNameError("person", wanted, within.map((m) => m.name));
  const scored = directory.members.map((m) => ({ m, score: nameSimilarity(text, m.name) })).sort((a, b) => b.score - a.score);
  if (scored[0] && scored[0].score >= 0.85 && (scored.length === 1 || scored[1].score < scored[0].score - 0.05)) return asPerson(scored[0].m);
  throw new UnknownNameError("person", wanted, closestLabels(scored.map((s) => ({ label: s.m.name, score: s.score }))));
}

/** Resolves a token by symbol, name or address; the chain's own coin by its symbol or name (and "ether" where it is ETH). */
export function resolveToken(directory: LedgerDirectory, wanted: string): TokenInfo {
  const text = wanted.trim();
  const native: TokenInfo = nativeTokenInfo(directory);
  if (nativeCoinWords(directory).includes(normalize(text))) return native;
  const asInfo = (t: LedgerDirectory["tokens"][number]): TokenInfo => ({ symbol: t.symbol, address: t.address, decimals: t.decimals });
  const bySymbol = directory.tokens.filter((t) => t.symbol.toLowerCase() === text.toLowerCase());
  if (bySymbol.length === 1) return asInfo(bySymbol[0]);
  if (bySymbol.length > 1) throw new AmbiguousNameError("token", wanted, bySymbol.map((t) => `${t.symbol} (${shortAddress(t.address)})`));
  const byAddress = directory.tokens.find((t) => t.address.toLowerCase() === text.toLowerCase());
  if (byAddress) return asInfo(byAddress);
  const byName = directory.tokens.filter((t) => normalize(t.name) === normalize(text) || wordsWithin(text, t.name.replace(/\(.*?\)/g, "")));
  if (byName.length === 1) return asInfo(byName[0]);
  const all = [...directory.tokens.map((t) => t.symbol), native.symbol];
  throw new UnknownNameError("token", wanted, closestLabels(all.map((symbol) => ({ label: symbol, score: Math.max(0.3, nameSimilarity(text.toLowerCase(), symbol.toLowerCase())) }))));
}

/** Resolves a category among those in use (exact, singular or plural, or close spelling). */
export function resolveCategory(directory: LedgerDirectory, wanted: string): ResolvedCategory {
  const target = normalize(wanted);
  const names = [...new Map(directory.categories.map((c) => [normalize(c), c])).entries()];
  const found =
    names.find(([n]) => n === target) ??
    names.find(([n]) => n === `${target}s` || `${n}s` === target || n === target.replace(/es$/, "")) ??
    (() => {
      const scored = names.map(([n, c]) => ({ n, c, score: nameSimilarity(target, n) })).sort((a, b) => b.score - a.score);
      return scored[0] && scored[0].score >= 0.85 ? ([scored[0].n, scored[0].c] as [string, string]) : undefined;
    })();
  if (!found)
    throw new UnknownNameError("category", wanted, closestLabels(names.map(([n, c]) => ({ label: c, score: Math.max(0.3, nameSimilarity(target, n)) }))));
  const [normalName, name] = found;
  return { name, bookAddresses: directory.book.filter((e) => e.category && normalize(e.category) === normalName).map((e) => e.address) };
}

/** The token of an address (null = native) as answers show it. */
export function tokenOf(directory: LedgerDirectory, address: string | null): TokenInfo {
  if (address === null) return nativeTokenInfo(directory);
  const token = directory.tokens.find((t) => t.address.toLowerCase() === address.toLowerCase());
  return token ? { symbol: token.symbol, address: token.address, decimals: token.decimals } : { symbol: shortAddress(address), address, decimals: 0 };
}

/** Who approved: the name they were known by when they signed here, else as the directory knows their address now. */
export function approverName(directory: LedgerDirectory, record: { owner: string; signerName: string | null }): string {
  return record.signerName ?? nameOfAddress(directory, record.owner);
}

/** A display name for an address: a member, the address book, or the short address. */
export function nameOfAddress(directory: LedgerDirectory, address: string | null | undefined): string {
  if (!address) return "unknown";
  const lower = address.toLowerCase();
  const member = directory.members.find((m) => m.addresses.some((a) => a.toLowerCase() === lower));
  if (member) return member.name;
  return directory.book.find((e) => e.address.toLowerCase() === lower)?.label ?? shortAddress(address);
}

/** A display name for a proposer or author key (member id, Slack id, address). */
export function nameOfPerson(directory: LedgerDirectory, key: string | null | undefined): string {
  if (!key) return "unknown";
  const lower = key.toLowerCase();
  const member = directory.members.find((m) => m.id.toLowerCase() === lower || m.slackUserId?.toLowerCase() === lower || m.addresses.some((a) => a.toLowerCase() === lower));
  if (member) return member.name;
  return Address.validate(key, { strict: false }) ? nameOfAddress(directory, key) : key;
}

/** The chain's own coin as answers show it. */
export function nativeTokenInfo(directory: LedgerDirectory): TokenInfo {
  return { symbol: directory.native.symbol, address: null, decimals: directory.native.decimals };
}

