import { listApprovals, listMessages, listOwnerChanges } from "../../db/ledger/people.ts";
import { countProposals, listProposals, rejectionsOf } from "../../db/ledger/proposals.ts";
import type { ApprovalRecord, MessageRecord, ProposalQuery, ProposalRecord } from "../../db/ledger/types.ts";
import { searchActivity } from "../../search/search.ts";
import { dateOf, messageCitation, proposalCitation, txCitation, type AssistantContext, type Citation } from "../context.ts";
import type { QueryPlan } from "../plan.ts";
import { nameSimilarity, wordsOf } from "../text.ts";
import { UnknownNameError } from "./errors.ts";
import type { Executed } from "./money.ts";
import { divide } from "./money.ts";
import { ownersAt } from "./owners.ts";
import { monthOf, quarterOfMonth } from "./periods.ts";
import { approverName, nameOfAddress, nameOfPerson, tokenOf, type TokenInfo } from "./resolve.ts";
import { addressesOf, amountOf, categoryCondition, keysOf, type Scope } from "./scope.ts";
import { stanceOf } from "./stance.ts";
import type { ApprovalView, Group, MessageView, Note, ProposalView, TokenFigure } from "./types.ts";
import { warningsFor } from "./warnings.ts";

/** Words that say nothing about which proposal is meant. */
const filler = new Set(
  `the a an of for to on in and or was were is be did do does we our us it that this with about what who which when why how any anyone
   payment payments proposal proposals paid pay the invoice el la los las de del para por en y o que quien quién qué cual cuál pago pagos propuesta propuestas
   sobre con se lo le un una`.split(/\s+/),
);
const stem = (word: string) => word.replace(/(es|s)$/, "");

function proposalQueryOf(plan: QueryPlan, scope: Scope, withSpans: boolean): ProposalQuery {
  return {
    statuses: plan.filters.status,
    counterparties: addressesOf(scope.counterparties),
    categories: categoryCondition(scope),
    tokens: scope.tokens?.map((t) => t.address),
    amounts: scope.amounts,
    proposers: keysOf(scope.proposers),
    approvers: plan.over === "approvals" ? undefined : addressesOf(scope.approvers),
    executors: addressesOf(scope.executors),
    spans: withSpans ? scope.spans : undefined,
  };
}

/** Whether the plan narrows which proposals it is about (beyond time). */
function narrowsProposals(plan: QueryPlan): boolean {
  const f = plan.filters;
  return !!(f.proposal || f.counterparties || f.categories || f.tokens || f.amount || f.status || f.proposedBy || f.executedBy || (plan.over !== "approvals" && f.approvedBy));
}

/**
 * The proposals a plan is about: narrowed by its filters, then, when it names
 * one in words, the best matches by memo, payee and discussion. Words that
 * match nothing keep the narrowed set (and say so) when other filters narrow
 * it; otherwise the proposal is unknown.
 */
export function findProposals(ctx: AssistantContext, plan: QueryPlan, scope: Scope, withSpans: boolean, notes: Note[]): ProposalRecord[] {
  const query = proposalQueryOf(plan, scope, withSpans);
  const ref = plan.filters.proposal?.trim();
  if (ref) {
    const nonce = /^(?:#|nonce\s*#?|n[ºo°]\s*)(\d+)$/i.exec(ref) ?? /^(\d+)$/.exec(ref);
    if (nonce) query.nonces = [Number(nonce[1])];
    else if (/^0x[0-9a-fA-F]{64}$/.test(ref)) query.safeTxHashes = [ref];
  }
  let records = listProposals(ctx.db, query);
  if (!ref || query.nonces || query.safeTxHashes) {
    if (ref && records.length === 0) throw new UnknownNameError("proposal", ref, []);
    return records;
  }
  const words = [...new Set(wordsOf(ref).filter((w) => w.length > 1 && !filler.has(w)).map(stem))];
  if (words.length === 0) return records;
  if (records.length > 2000) {
    const hits = new Set(searchActivity(ctx.db, { query: ref, limit: 100 }).map((hit) => hit.safeTxHash).filter(Boolean));
    records = records.filter((r) => hits.has(r.safeTxHash));
  }
  const messages = records.length <= 2000 ? listMessages(ctx.db, { safeTxHashes: records.map((r) => r.safeTxHash) }) : [];
  const said = new Map<string, string[]>();
  for (const m of messages) if (m.safeTxHash) said.set(m.safeTxHash, [...(said.get(m.safeTxHash) ?? []), m.text]);
  const scored = records.map((record) => {
    const text = [record.memo, record.category ?? "", ...record.transfers.map((t) => nameOfAddress(scope.directory, t.to)), ...(said.get(record.safeTxHash) ?? [])].join(" ");
    const own = new Set(wordsOf(text).map(stem));
    return { record, score: words.filter((w) => own.has(w)).length };
  });
  const best = Math.max(0, ...scored.map((s) => s.score));
  if (best > 0) return scored.filter((s) => s.score === best).map((s) => s.record);
  if (narrowsProposals({ ...plan, filters: { ...plan.filters, proposal: undefined } }) || (withSpans && scope.spans)) {
    notes.push({ code: "proposal_words_unmatched", words: ref, count: records.length });
    return records;
  }
  const all = listProposals(ctx.db, {}, { order: "created_desc", limit: 500 });
  const closest = all
    .map((r) => ({ label: `#${r.nonce} ${r.memo}`, score: nameSimilarity(ref, r.memo) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, 3)
    .map((s) => s.label);
  throw new UnknownNameError("proposal", ref, closest);
}

function approvalView(scope: Scope, record: ApprovalRecord): ApprovalView {
  return { owner: record.owner, name: approverName(scope.directory, record), date: record.time === null ? null : dateOf(record.time), source: record.source };
}

export function messageView(scope: Scope, record: MessageRecord, proposals: Map<string, ProposalRecord>): MessageView {
  const proposal = record.safeTxHash ? proposals.get(record.safeTxHash) : undefined;
  const executedAt = proposal?.execution?.success ? proposal.execution.time : undefined;
  return {
    id: record.id,
    author: record.authorName ?? nameOfPerson(scope.directory, record.authorId),
    date: dateOf(record.postedAt),
    time: record.postedAt,
    text: record.text,
    permalink: record.permalink,
    proposal: proposal ? { nonce: proposal.nonce, memo: proposal.memo, safeTxHash: proposal.safeTxHash } : null,
    timing: executedAt === undefined ? null : record.postedAt < executedAt ? "before_execution" : "after_execution",
    stance: stanceOf(record.text),
  };
}

/** Full views of proposals: transfers, real approvals, threshold, outcome, rejection, and (asked for) discussion and warnings. */
export async function proposalViews(
  ctx: AssistantContext,
  scope: Scope,
  records: ProposalRecord[],
  include: { discussion?: boolean; warnings?: boolean } = {},
  notes: Note[] = [],
): Promise<{ views: ProposalView[]; citations: Citation[] }> {
  const hashes = records.map((r) => r.safeTxHash);
  const approvals = listApprovals(ctx.db, { safeTxHashes: hashes });
  const rejections = rejectionsOf(ctx.db, hashes);
  const rejectionApprovals = listApprovals(ctx.db, { safeTxHashes: rejections.map((r) => r.safeTxHash) });
  const changes = listOwnerChanges(ctx.db);
  const byHash = new Map(records.map((r) => [r.safeTxHash, r]));
  const messages = include.discussion ? listMessages(ctx.db, { safeTxHashes: hashes }) : [];
  const warnings = include.warnings ? await warningsFor(ctx, records) : undefined;
  if (warnings?.source === "stored") notes.push({ code: "stored_warnings_only" });
  const citations: Citation[] = [];
  const views = records.map((record) => {
    const rejection = rejections.find((r) => r.rejectsSafeTxHash?.toLowerCase() === record.safeTxHash.toLowerCase() && r.status === "executed") ?? rejections.find((r) => r.rejectsSafeTxHash?.toLowerCase() === record.safeTxHash.toLowerCase());
    const executed = record.execution?.success ? record.execution : null;
    const threshold = ownersAt(changes, executed?.time ?? scope.now).threshold;
    if (executed) citations.push(txCitation(ctx, executed.txHash, `proposal #${record.nonce} executed on ${dateOf(executed.time)}`));
    citations.push(proposalCitation(record.safeTxHash, `proposal #${record.nonce}: ${record.memo || record.status}`, record.permalink));
    if (rejection?.execution) citations.push(txCitation(ctx, rejection.execution.txHash, `rejection of proposal #${record.nonce}`));
    const discussion = include.discussion ? messages.filter((m) => m.safeTxHash === record.safeTxHash).map((m) => messageView(scope, m, byHash)) : undefined;
    for (const m of discussion ?? []) citations.push(messageCitation(`message:${m.id}`, `${m.author} on ${m.date}`, m.permalink));
    return {
      safeTxHash: record.safeTxHash,
      nonce: record.nonce,
      status: record.status,
      purpose: record.purpose,
      memo: record.memo,
      category: record.category,
      proposer: nameOfPerson(scope.directory, record.proposer),
      createdAt: dateOf(record.createdAt),
      transfers: record.transfers.map((t) => ({ amount: amountOf(tokenOf(scope.directory, t.token), t.amount), payee: nameOfAddress(scope.directory, t.to), payeeAddress: t.to })),
      approvals: approvals.filter((a) => a.safeTxHash.toLowerCase() === record.safeTxHash.toLowerCase()).map((a) => approvalView(scope, a)),
      threshold,
      executedAt: executed ? dateOf(executed.time) : null,
      txHash: executed?.txHash ?? null,
      permalink: record.permalink,
      rejection: rejection
        ? {
            approvals: rejectionApprovals.filter((a) => a.safeTxHash.toLowerCase() === rejection.safeTxHash.toLowerCase()).map((a) => approvalView(scope, a)),
            executedAt: rejection.execution ? dateOf(rejection.execution.time) : null,
            txHash: rejection.execution?.txHash ?? null,
          }
        : null,
      discussion,
      warnings: warnings?.byHash.get(record.safeTxHash),
      warningsSource: warnings?.source,
    } satisfies ProposalView;
  });
  return { views, citations };
}

/** Per-token totals of proposals' transfers. */
function transferFigures(plan: QueryPlan, scope: Scope, records: ProposalRecord[]): TokenFigure[] {
  const byToken = new Map<string, { token: TokenInfo; count: number; sum: bigint; min: bigint | null; max: bigint | null }>();
  for (const record of records)
    for (const transfer of record.transfers) {
      if (scope.tokens && !scope.tokens.some((t) => (t.address ?? "").toLowerCase() === (transfer.token ?? "").toLowerCase())) continue;
      const key = transfer.token?.toLowerCase() ?? "native";
      const entry = byToken.get(key) ?? { token: tokenOf(scope.directory, transfer.token), count: 0, sum: 0n, min: null, max: null };
      entry.count += 1;
      entry.sum += transfer.amount;
      entry.min = entry.min === null || transfer.amount < entry.min ? transfer.amount : entry.min;
      entry.max = entry.max === null || transfer.amount > entry.max ? transfer.amount : entry.max;
      byToken.set(key, entry);
    }
  return [...byToken.values()].map((e) => {
    if (plan.measure === "average") {
      const { units, rounded } = divide(e.sum, BigInt(e.count));
      return { token: e.token, count: e.count, amount: amountOf(e.token, units), rounded };
    }
    const units = plan.measure === "min" ? (e.min ?? 0n) : plan.measure === "max" ? (e.max ?? 0n) : e.sum;
    return { token: e.token, count: e.count, amount: amountOf(e.token, units) };
  });
}

function groupKey(plan: QueryPlan, scope: Scope, record: ProposalRecord, approvals: ApprovalRecord[]): { key: string; label: string }[] {
  switch (plan.groupBy) {
    case "status":
      return [{ key: record.status, label: record.status }];
    case "proposer":
      return [{ key: record.proposer.toLowerCase(), label: nameOfPerson(scope.directory, record.proposer) }];
    case "month":
      return [{ key: monthOf(record.createdAt), label: monthOf(record.createdAt) }];
    case "quarter":
      return [{ key: quarterOfMonth(monthOf(record.createdAt)), label: quarterOfMonth(monthOf(record.createdAt)) }];
    case "payee":
      return [...new Set(record.transfers.map((t) => t.to.toLowerCase()))].map((to) => ({ key: to, label: nameOfAddress(scope.directory, to) }));
    case "category":
      return [{ key: (record.category ?? "(none)").toLowerCase(), label: (record.category ?? "(none)").toLowerCase() }];
    case "token":
      return [...new Set(record.transfers.map((t) => t.token?.toLowerCase() ?? "native"))].map((token) => ({ key: token, label: tokenOf(scope.directory, token === "native" ? null : token).symbol }));
    case "approver":
      return approvals.filter((a) => a.safeTxHash === record.safeTxHash).map((a) => ({ key: a.owner.toLowerCase(), label: approverName(scope.directory, a) }));
    default:
      return [{ key: "", label: "" }];
  }
}

/** Proposals: count, list, first, last, totals of their transfers, grouped. */
export async function executeProposals(ctx: AssistantContext, plan: QueryPlan, scope: Scope): Promise<Executed> {
  const notes: Note[] = [];
  const query = proposalQueryOf(plan, scope, true);
  if (plan.measure === "count" && !plan.groupBy && !plan.filters.proposal) return { value: { shape: "count", count: countProposals(ctx.db, query) }, citations: [], notes };
  let records = findProposals(ctx, plan, scope, true, notes);
  if (plan.groupBy) {
    const approvals = plan.groupBy === "approver" ? listApprovals(ctx.db, { safeTxHashes: records.map((r) => r.safeTxHash) }) : [];
    const groups = new Map<string, { label: string; records: ProposalRecord[] }>();
    for (const record of records)
      for (const { key, label } of groupKey(plan, scope, record, approvals)) {
        const group = groups.get(key) ?? { label, records: [] };
        group.records.push(record);
        groups.set(key, group);
      }
    let list: Group[] = [...groups.entries()].map(([key, g]) => ({
      key,
      label: g.label,
      count: g.records.length,
      figures: plan.measure === "count" ? [] : transferFigures(plan, scope, g.records),
    }));
    const timed = plan.groupBy === "month" || plan.groupBy === "quarter";
    list = timed && !plan.order ? list.sort((a, b) => a.key.localeCompare(b.key)) : list.sort((a, b) => (b.count - a.count) * (plan.order === "asc" ? -1 : 1) || a.label.localeCompare(b.label));
    const totalGroups = list.length;
    if (plan.limit) list = list.slice(0, plan.limit);
    return { value: { shape: "groups", measure: plan.measure, groupBy: plan.groupBy, groups: list, totalGroups, count: records.length }, citations: [], notes };
  }
  if (plan.measure === "count") return { value: { shape: "count", count: records.length }, citations: records.map((r) => proposalCitation(r.safeTxHash, `proposal #${r.nonce}: ${r.memo}`, r.permalink)), notes };
  const totals = transferFigures(plan, scope, records);
  const count = records.length;
  if (plan.measure === "first") records = records.slice(0, plan.limit ?? 1);
  else if (plan.measure === "last") records = records.slice(-(plan.limit ?? 1)).reverse();
  else if (plan.measure === "list") records = plan.order === "desc" ? [...records].reverse().slice(0, plan.limit ?? 50) : records.slice(0, plan.limit ?? 50);
  else if (plan.measure === "min" || plan.measure === "max") {
    // The proposal holding the smallest or largest transfer, per token.
    const chosen = new Set<ProposalRecord>();
    for (const figure of totals)
      for (const record of records)
        if (record.transfers.some((t) => (t.token ?? "").toLowerCase() === (figure.token.address ?? "").toLowerCase() && t.amount === figure.amount?.units)) {
          chosen.add(record);
          break;
        }
    records = [...chosen];
  } else records = records.slice(-10);
  const include = { discussion: plan.include?.includes("discussion"), warnings: plan.include?.includes("warnings") };
  const { views, citations } = await proposalViews(ctx, scope, records, include, notes);
  return { value: { shape: "proposals", proposals: views, count, totals: plan.measure === "list" || plan.measure === "first" || plan.measure === "last" ? transferFigures({ ...plan, measure: "sum" }, scope, records) : totals }, citations, notes };
}

/** Approvals by owners: who approved what, when; counted, listed or grouped. */
export async function executeApprovals(ctx: AssistantContext, plan: QueryPlan, scope: Scope): Promise<Executed> {
  const notes: Note[] = [];
  const narrowed = narrowsProposals(plan);
  const records = narrowed ? findProposals(ctx, plan, scope, false, notes) : listProposals(ctx.db, { includeRejections: false });
  const byHash = new Map(records.map((r) => [r.safeTxHash.toLowerCase(), r]));
  let approvals = listApprovals(ctx.db, { safeTxHashes: narrowed ? records.map((r) => r.safeTxHash) : undefined, owners: addressesOf(scope.approvers), spans: scope.spans }).filter((a) =>
    byHash.has(a.safeTxHash.toLowerCase()),
  );
  const count = approvals.length;
  if (plan.groupBy) {
    const groups = new Map<string, Group>();
    for (const approval of approvals) {
      const key = plan.groupBy === "approver" ? approval.owner.toLowerCase() : approval.time === null ? "(unknown)" : plan.groupBy === "quarter" ? quarterOfMonth(monthOf(approval.time)) : monthOf(approval.time);
      const label = plan.groupBy === "approver" ? approverName(scope.directory, approval) : key;
      const group = groups.get(key) ?? { key, label, count: 0, figures: [] };
      group.count += 1;
      groups.set(key, group);
    }
    let list = [...groups.values()];
    list = plan.groupBy === "approver" || plan.order ? list.sort((a, b) => (b.count - a.count) * (plan.order === "asc" ? -1 : 1) || a.label.localeCompare(b.label)) : list.sort((a, b) => a.key.localeCompare(b.key));
    const totalGroups = list.length;
    if (plan.limit) list = list.slice(0, plan.limit);
    return { value: { shape: "groups", measure: plan.measure, groupBy: plan.groupBy, groups: list, totalGroups, count }, citations: [], notes };
  }
  if (plan.measure === "first") approvals = approvals.slice(0, plan.limit ?? 1);
  else if (plan.measure === "last") approvals = approvals.slice(-(plan.limit ?? 1)).reverse();
  else if (plan.measure === "list") approvals = approvals.slice(0, plan.limit ?? 100);
  const shownProposals = narrowed && records.length <= 5 ? records : [];
  const { views, citations } = await proposalViews(ctx, scope, shownProposals, {}, notes);
  const rows = approvals.map((a) => {
    const record = byHash.get(a.safeTxHash.toLowerCase())!;
    return { ...approvalView(scope, a), proposal: { nonce: record.nonce, memo: record.memo, status: record.status, safeTxHash: record.safeTxHash } };
  });
  return { value: { shape: "approvals", approvals: plan.measure === "count" ? [] : rows, count, proposals: views }, citations: plan.measure === "count" ? [] : citations, notes };
}

/** Discussion messages: what was said about which proposals, by whom, before or after execution; objections and open questions. */
export async function executeMessages(ctx: AssistantContext, plan: QueryPlan, scope: Scope): Promise<Executed> {
  const notes: Note[] = [];
  const narrowed = narrowsProposals(plan);
  const records = narrowed ? findProposals(ctx, plan, scope, false, notes) : listProposals(ctx.db, { includeRejections: true });
  const byHash = new Map(records.map((r) => [r.safeTxHash, r]));
  let messages = listMessages(ctx.db, {
    safeTxHashes: narrowed ? records.map((r) => r.safeTxHash) : undefined,
    authors: scope.authors?.flatMap((a) => a.keys),
    spans: scope.spans,
  }).map((m) => messageView(scope, m, byHash));
  const all = messages;
  if (plan.filters.timing) messages = messages.filter((m) => m.timing === plan.filters.timing);
  if (plan.filters.stance === "question") messages = messages.filter((m) => m.stance === "question");
  else if (plan.filters.stance === "objection") messages = messages.filter((m) => m.stance === "objection" || m.stance === "question");
  // An open question's answer is the next message by someone else in the same thread.
  const withReplies = messages.map((m) => {
    if (m.stance !== "question") return m;
    const reply = all.find((other) => other.proposal?.safeTxHash === m.proposal?.safeTxHash && other.time > m.time && other.author !== m.author);
    return reply ? ({ ...m, reply } satisfies MessageView) : m;
  });
  const count = withReplies.length;
  if (plan.groupBy) {
    const groups = new Map<string, Group>();
    for (const m of withReplies) {
      const key = plan.groupBy === "author" ? m.author : plan.groupBy === "quarter" ? quarterOfMonth(monthOf(m.time)) : monthOf(m.time);
      const group = groups.get(key) ?? { key, label: key, count: 0, figures: [] };
      group.count += 1;
      groups.set(key, group);
    }
    let list = [...groups.values()].sort((a, b) => (plan.groupBy === "author" ? b.count - a.count || a.label.localeCompare(b.label) : a.key.localeCompare(b.key)));
    const totalGroups = list.length;
    if (plan.limit) list = list.slice(0, plan.limit);
    return { value: { shape: "groups", measure: plan.measure, groupBy: plan.groupBy, groups: list, totalGroups, count }, citations: [], notes };
  }
  let shown = withReplies;
  if (plan.measure === "first") shown = shown.slice(0, plan.limit ?? 1);
  else if (plan.measure === "last") shown = shown.slice(-(plan.limit ?? 1)).reverse();
  else if (plan.measure === "list") shown = shown.slice(0, plan.limit ?? 30);
  else shown = [];
  const concerned = [...new Set(shown.map((m) => m.proposal?.safeTxHash).filter((h): h is string => !!h))];
  const shownProposals = (narrowed && records.length <= 3 ? records : records.filter((r) => concerned.includes(r.safeTxHash))).slice(0, 5);
  const { views, citations } = await proposalViews(ctx, scope, shownProposals, {}, notes);
  const cite = (m: MessageView) => messageCitation(`message:${m.id}`, `${m.author} on ${m.date}`, m.permalink);
  const messageCitations = shown.flatMap((m) => [cite(m), ...(m.reply ? [cite(m.reply)] : [])]);
  return { value: { shape: "messages", messages: shown, count, proposals: views }, citations: [...messageCitations, ...citations], notes };
}
