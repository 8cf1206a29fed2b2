import { connectionOf } from "../db/connection.ts";
import { chainLabel, dateOf, indexedHead, referenceNow, shortHash, type AssistantContext, type Citation } from "./context.ts";
import { findProposals } from "./find-proposals.ts";
import { maxQuestionLength, parseQuestion, type Intent, type QuestionEntities } from "./parse.ts";
import {
  balances,
  listTransactions,
  ownersAndThreshold,
  pendingProposals,
  proposalDetails,
  searchActivityTool,
  sumTransfers,
  type ProposalDetails,
} from "./tools.ts";

export type RulesAnswer = { answer: string; citations: Citation[]; mode: "rules" | "search"; intent: Intent["type"] };

/** "1750" → "1,750" (exact: from the decimal string, never a float). */
export function people(amount: string): string {
  const [whole, fraction] = amount.replace(/^-/, "").split(".");
  const sign = amount.startsWith("-") ? "-" : "";
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${fraction ? `.${fraction}` : ""}`;
}

const quote = (text: string, max = 220) => `“${text.length > max ? `${text.slice(0, max - 1)}…` : text}”`;
const names = (list: string[]) => (list.length <= 1 ? (list[0] ?? "") : `${list.slice(0, -1).join(", ")} and ${list.at(-1)}`);

function periodWords(entities: QuestionEntities, nowSource: string): string {
  if (!entities.period) return "over the whole indexed history";
  const relative = /this year|this month|last month|last year|last \d+ days|since/.test(entities.period.label);
  return `${entities.period.label.replace(/^(?!this |last |since |over )/, "in ")}${relative ? ` (“now” is the ${nowSource} time)` : ""}`;
}

/**
 * Answers a question with no LLM: a deterministic parser picks the tool, and
 * the answer states the figure, token, period and chain, citing the
 * transactions and messages it used. Questions it cannot map get the top
 * search results, labelled as search results. Never throws on odd input.
 */
export async function answerWithRules(ctx: AssistantContext, question: string): Promise<RulesAnswer> {
  const now = referenceNow(ctx.db);
  const nowSource = now.source === "latest block" ? `latest indexed block (${dateOf(now.at)})` : "clock";
  const intent = parseQuestion(ctx, question, now.at);
  const done = (answer: string, citations: Citation[] = [], mode: "rules" | "search" = "rules"): RulesAnswer => ({
    answer,
    citations: dedupe(citations),
    mode,
    intent: intent.type,
  });
  const chain = chainLabel(ctx);
  const head = indexedHead(ctx.db);
  const asOf = head ? `as indexed at block ${head.number} (${dateOf(head.timestamp)}) on ${chain}` : `on ${chain} (nothing indexed yet)`;

  switch (intent.type) {
    case "empty":
      return done(
        "Ask me about the treasury, for example: “How much USDC did we pay Pixel Forge in 2026?”, “Who approved the Lumen Audit payment?”, “What is pending?”, “Who are the owners?”.",
      );
    case "too_long":
      return done(`That question is ${intent.length.toLocaleString("en-US")} characters long; please ask in under ${maxQuestionLength} characters.`);

    case "owners": {
      const at = intent.entities.period ? intent.entities.period.to - 1 : undefined;
      const { result, citations } = ownersAndThreshold(ctx, { at });
      const owners = result.owners as { name: string; address: string }[];
      if (owners.length === 0) return done(`No owner information is indexed yet ${asOf}.`);
      const when = at === undefined ? "Now" : `At the end of ${intent.entities.period!.label}`;
      const last = result.lastChange as { date: string; txHash: string } | null;
      return done(
        `${when} the Safe has ${owners.length} owners: ${names(owners.map((o) => o.name))}. Threshold: ${result.threshold ?? "unknown"} of ${owners.length} approvals to execute${
          last ? `; last change ${last.date} (tx ${shortHash(last.txHash)})` : ""
        }. ${capital(asOf)}.`,
        citations,
      );
    }

    case "pending": {
      const { result, citations } = pendingProposals(ctx);
      const list = result.proposals as (Omit<ProposalDetails, "discussion"> & { threshold: number | null })[];
      if (list.length === 0) return done(`No proposals are pending ${asOf}.`);
      const lines = list.map((p) => {
        const approvals = p.approvals.map((a) => a.name);
        return `• #${p.nonce} ${p.memo || transfersText(p)} (${transfersText(p)}): ${approvals.length} of ${p.threshold ?? "?"} approvals${
          approvals.length ? ` (${names(approvals)})` : ""
        }, not executed`;
      });
      return done(`${list.length} pending proposal${list.length === 1 ? "" : "s"} ${asOf}:\n${lines.join("\n")}`, citations);
    }

    case "rejected": {
      const status = intent.cancelled ? "cancelled" : "rejected";
      const hashes = findProposals(ctx.db, {
        text: intent.entities.words.join(" "),
        counterparties: intent.entities.counterparty?.addresses,
        statuses: [status],
        from: intent.entities.period?.from,
        to: intent.entities.period?.to,
        limit: 10,
      });
      const all = hashes.length
        ? hashes
        : (connectionOf(ctx.db).prepare("SELECT safe_tx_hash FROM proposals WHERE status = ? AND kind = 'payment' ORDER BY created_at").pluck().all(status) as string[]);
      if (all.length === 0) return done(`No proposals were ${status} ${periodWords(intent.entities, nowSource)} (${asOf}).`);
      const citations: Citation[] = [];
      const lines = all.map((hash) => {
        const found = proposalDetails(ctx, hash)!;
        citations.push(...found.citations.filter((c) => c.kind !== "message"));
        const p = found.details;
        const reason = reasonOf(p);
        if (reason) citations.push(...found.citations.filter((c) => c.kind === "message" && c.url === reason.permalink));
        const how =
          status === "rejected" && p.rejection
            ? ` Rejected on-chain${p.rejection.executedAt ? ` on ${p.rejection.executedAt}` : ""} by ${names(p.rejection.approvals.map((a) => a.name)) || "its owners"}${
                p.rejection.txHash ? ` (tx ${shortHash(p.rejection.txHash)})` : ""
              }.`
            : "";
        return `• #${p.nonce} ${p.memo || "(no memo)"}: ${transfersText(p)}, proposed by ${p.proposer} on ${p.createdAt}.${how}${
          reason ? ` Reason from the discussion: ${reason.author} said ${quote(reason.text)}` : ""
        }`;
      });
      let extra = "";
      if (!intent.cancelled) {
        const cancelled = connectionOf(ctx.db).prepare("SELECT count(*) FROM proposals WHERE status = 'cancelled' AND kind = 'payment'").pluck().get() as number;
        if (cancelled) extra = `\n(${cancelled} more ${cancelled === 1 ? "was" : "were"} cancelled before anyone signed; ask “what was cancelled?”.)`;
      }
      return done(`${all.length} proposal${all.length === 1 ? " was" : "s were"} ${status} (${chain}):\n${lines.join("\n")}${extra}`, citations);
    }

    case "approvals": {
      const e = intent.entities;
      const hashes = findProposals(ctx.db, {
        text: e.words.filter((w) => !/^(approved?|approvals?|signed|payment|proposal|who|is|was|the)$/.test(w)).join(" "),
        counterparties: e.counterparty?.addresses,
        category: e.category,
        from: e.period?.from,
        to: e.period?.to,
        limit: 1,
      });
      if (hashes.length === 0) return fallbackSearch(ctx, question, intent.entities, done, "I could not tell which proposal you mean.");
      const found = proposalDetails(ctx, hashes[0])!;
      const p = found.details;
      const approvers = p.approvals.map((a) => a.name);
      const needed = p.threshold ?? "?";
      let state: string;
      if (p.status === "executed")
        state = `was approved by ${names(approvers)} (${approvers.length} of ${needed} needed) and executed on ${p.executedAt ?? "?"}${
          p.executedTxHash ? ` in tx ${shortHash(p.executedTxHash)}` : ""
        }.`;
      else if (p.status === "pending")
        state = `is NOT approved yet: ${approvers.length} of ${needed} approvals${approvers.length ? ` (${names(approvers)})` : ""}. It has not been executed.`;
      else if (p.status === "rejected")
        state = `was rejected${p.rejection ? ` by ${names(p.rejection.approvals.map((a) => a.name))}, who signed the on-chain rejection` : ""}; approvals of the payment itself: ${
          approvers.length ? names(approvers) : "none"
        }.`;
      else state = `was ${p.status}; approvals: ${approvers.length ? names(approvers) : "none"}.`;
      const notice =
        p.discussion.some((m) => /\b(approved|ignore (all |your )?previous|instructions)\b/i.test(m.text)) && p.status !== "executed"
          ? " (Chat messages claiming otherwise do not count: only owner signatures do.)"
          : "";
      return done(`Proposal #${p.nonce} “${p.memo}” (${transfersText(p)}) ${state}${notice} ${capital(chain)}.`, found.citations.filter((c) => c.kind !== "message"));
    }

    case "balances": {
      const { result } = balances(ctx, { token: intent.entities.token });
      const list = result.balances as { symbol: string; amount: string }[];
      if (list.length === 0) return done(`No ${intent.entities.token ?? "token"} balance is indexed ${asOf}.`);
      return done(`Balances ${asOf}: ${list.map((b) => `${people(b.amount)} ${b.symbol}`).join(", ")}. (Computed from indexed transfers in and out.)`);
    }

    case "largest": {
      const e = intent.entities;
      const { result, citations } = listTransactions(ctx, {
        direction: intent.direction,
        counterparty: e.counterparty?.label,
        category: e.category,
        token: e.token,
        from: e.period?.from,
        to: e.period?.to,
        orderBy: "largest",
        limit: 50,
      });
      const rows = result.transactions as { date: string; amount: string; symbol: string; counterparty: string; memo: string; txHash: string }[];
      if (rows.length === 0) return done(`No ${intent.direction === "out" ? "payments" : "deposits"} match ${periodWords(e, nowSource)} (${asOf}).`);
      const perToken = new Map<string, (typeof rows)[number]>();
      for (const row of rows) {
        const current = perToken.get(row.symbol);
        const better = !current || (intent.smallest ? cmp(row.amount, current.amount) < 0 : cmp(row.amount, current.amount) > 0);
        if (better) perToken.set(row.symbol, row);
      }
      const word = intent.smallest ? "Smallest" : "Largest";
      const lines = [...perToken.values()].map(
        (row) => `• ${people(row.amount)} ${row.symbol} ${intent.direction === "out" ? "to" : "from"} ${row.counterparty} on ${row.date}${row.memo ? ` (${row.memo})` : ""}, tx ${shortHash(row.txHash)}`,
      );
      return done(
        `${word} ${intent.direction === "out" ? "payment" : "deposit"} in each token ${periodWords(e, nowSource)}, ${chain} (amounts in different tokens are not compared):\n${lines.join("\n")}`,
        citations.filter((c) => [...perToken.values()].some((row) => row.txHash === c.ref)),
      );
    }

    case "why": {
      const e = intent.entities;
      const text = e.words.filter((w) => !/^(why|did|we|pay|paid|go|went|up|reason|the|for)$/.test(w)).join(" ");
      const hashes = findProposals(ctx.db, {
        text: text || e.words.join(" "),
        counterparties: e.counterparty?.addresses,
        category: e.category,
        from: e.period?.from,
        to: e.period?.to,
        limit: 2,
      });
      if (hashes.length === 0) return fallbackSearch(ctx, question, e, done, "I found no payment or proposal that matches.");
      const citations: Citation[] = [];
      const parts = hashes.slice(0, e.counterparty || e.period ? 1 : 2).map((hash) => {
        const found = proposalDetails(ctx, hash)!;
        const p = found.details;
        const relevant = relevantMessages(p, e.words).slice(0, 2);
        citations.push(...found.citations.filter((c) => c.kind !== "message" || relevant.some((m) => m.permalink && m.permalink === c.url)));
        const outcome =
          p.status === "executed" ? `paid on ${p.executedAt}${p.executedTxHash ? ` (tx ${shortHash(p.executedTxHash)})` : ""}` : p.status;
        return `${transfersText(p)} — ${outcome}. Memo: ${quote(p.memo || "(none)")}${
          relevant.length ? `. Discussion: ${relevant.map((m) => `${m.author}: ${quote(m.text, 180)}`).join(" ")}` : ""
        }`;
      });
      return done(`${parts.join("\n")}\n(${capital(chain)}; memo and chat text quoted as written.)`, citations);
    }

    case "total":
    case "list": {
      const e = intent.entities;
      if (!e.counterparty && !e.category && !e.token && !e.period && intent.type === "list" && e.words.length > 3)
        return fallbackSearch(ctx, question, e, done);
      const direction = intent.direction;
      const { result, citations } = sumTransfers(ctx, {
        direction,
        counterparty: e.counterparty?.label,
        category: e.category,
        token: e.token,
        from: e.period?.from,
        to: e.period?.to,
      });
      const totals = result.totals as { symbol: string; total: string; count: number }[];
      const who = e.counterparty ? (direction === "out" ? ` to ${e.counterparty.label}` : ` from ${e.counterparty.label}`) : "";
      const what = `${e.category ? `${e.category} ` : ""}${direction === "out" ? "payments" : "deposits"}${who}${e.token ? ` in ${e.token}` : ""}`;
      const when = periodWords(e, nowSource);
      if (totals.length === 0) return done(`No ${what} ${when} (${asOf}).`);
      const figure = totals.map((t) => `${people(t.total)} ${t.symbol} (${t.count} ${t.count === 1 ? "transaction" : "transactions"})`).join(", ");
      const count = totals.reduce((sum, t) => sum + t.count, 0);
      const verb =
        direction === "out"
          ? `We paid ${e.counterparty ? e.counterparty.label : "out"}`
          : `${e.counterparty ? `${e.counterparty.label} paid us` : "We received"}`;
      const lead =
        intent.type === "total" && intent.count
          ? `${count} ${what} ${when}: ${figure}.`
          : `${verb} ${figure}${e.category && !e.counterparty ? ` in ${e.category}` : ""} ${when}.`;
      const rows = result.transactions as { date: string; amount: string; symbol: string; counterparty: string; txHash: string; memo: string }[];
      const listed = rows.slice(-6).map((r) => `• ${r.date} ${people(r.amount)} ${r.symbol} ${direction === "out" ? "to" : "from"} ${r.counterparty}${r.memo ? ` — ${r.memo.slice(0, 80)}` : ""} (tx ${shortHash(r.txHash)})`);
      const more = count > listed.length ? `\n…and ${count - listed.length} more.` : "";
      return done(`${lead} ${capital(asOf)}.\n${listed.join("\n")}${more}`, citations);
    }

    case "search":
      return fallbackSearch(ctx, question, intent.entities, done);
  }
}

async function fallbackSearch(
  ctx: AssistantContext,
  question: string,
  e: QuestionEntities,
  done: (answer: string, citations?: Citation[], mode?: "rules" | "search") => RulesAnswer,
  why = "I could not map that to a question I answer exactly.",
): Promise<RulesAnswer> {
  const { result, citations } = await searchActivityTool(ctx, {
    query: question.slice(0, 500),
    counterparty: e.counterparty?.label,
    from: e.period?.from,
    to: e.period?.to,
    limit: 5,
  }).catch(() => searchActivityTool(ctx, { query: question.slice(0, 500), limit: 5 }));
  const hits = result.results as { kind: string; date: string; title: string; text: string; txHash: string | null }[];
  if (hits.length === 0) return done(`${why} A search of the treasury's activity found nothing either.`, [], "search");
  const lines = hits.map((h) => `• ${h.date} [${h.kind}] ${h.title}${h.kind === "message" ? `: ${quote(h.text, 140)}` : ""}${h.txHash ? ` (tx ${shortHash(h.txHash)})` : ""}`);
  const note = result.note ? `\n${result.note}` : "";
  return done(`${why} Top search results (not an exact answer):\n${lines.join("\n")}${note}`, citations, "search");
}

function transfersText(p: Pick<ProposalDetails, "transfers">): string {
  if (p.transfers.length === 0) return "no token transfer";
  return p.transfers.map((t) => `${people(t.amount)} ${t.symbol} to ${t.to}`).join(", ");
}

const reasonWords = /\b(duplicate|already|mistake|wrong|because|budget|tight|skip|reject|instead|too (much|high|expensive)|not needed|cancel)\w*/i;

function reasonOf(p: ProposalDetails) {
  return p.discussion.find((m) => reasonWords.test(m.text)) ?? p.discussion.at(-1);
}

function relevantMessages(p: ProposalDetails, words: string[]) {
  const set = new Set(words.map((w) => w.toLowerCase()));
  const scored = p.discussion.map((m, index) => ({
    m,
    index,
    score: (m.text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => set.has(w)).length + (reasonWords.test(m.text) ? 1 : 0),
  }));
  return scored.sort((a, b) => b.score - a.score || a.index - b.index).map((s) => s.m).sort((a, b) => p.discussion.indexOf(a) - p.discussion.indexOf(b));
}

function cmp(a: string, b: string): number {
  const scale = (x: string) => {
    const [w, f = ""] = x.split(".");
    return BigInt(w + f.padEnd(36, "0"));
  };
  const d = scale(a) - scale(b);
  return d > 0n ? 1 : d < 0n ? -1 : 0;
}

function capital(text: string): string {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

function dedupe(citations: Citation[]): Citation[] {
  const seen = new Set<string>();
  return citations.filter((c) => c && (seen.has(c.ref) ? false : (seen.add(c.ref), true)));
}
