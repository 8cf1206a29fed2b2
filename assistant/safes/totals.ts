import type { RegisteredSafe } from "../../db/safes.ts";
import { money, joinList } from "../answer/format.ts";
import { amountOf } from "../execute/scope.ts";
import type { Amount, PlanResult, TokenFigure } from "../execute/types.ts";
import type { Language } from "../parse/index.ts";

/** One Safe's executed plan (undefined when its answer was not a plan's: a question back, an unknown name). */
export type SafeTotals = { safe: RegisteredSafe; result?: PlanResult };

type Addable = { kind: "amounts"; amounts: Amount[] } | { kind: "count"; count: number };

/** What of a result may be added to another Safe's: sums and balances per token, counts; nothing else (averages, lists, groups). */
function addableOf(result: PlanResult): Addable | undefined {
  const value = result.value;
  const amounts = (figures: TokenFigure[]) => figures.flatMap((figure) => (figure.amount ? [figure.amount] : []));
  switch (value.shape) {
    case "figures":
      if (value.measure === "sum") return { kind: "amounts", amounts: amounts(value.figures) };
      if (value.measure === "count") return { kind: "count", count: value.count };
      return undefined;
    case "money_rows":
    case "proposals":
      return result.plan.measure === "count" ? { kind: "count", count: value.count } : { kind: "amounts", amounts: amounts(value.totals) };
    case "balances":
      return { kind: "amounts", amounts: value.balances };
    case "count":
      return { kind: "count", count: value.count };
    default:
      return undefined;
  }
}

/**
 * The lines that add the Safes' figures up: one total per token, where a
 * token is the same only on the same chain at the same address (a chain's
 * native coin is never added to another chain's). Amounts are added in base
 * units. When a Safe has no figures to add, or the figures are of a kind
 * that does not add up, the line says there is no total instead.
 */
export function totalsAcrossSafes(parts: SafeTotals[], language: Language): string[] {
  const es = language === "es";
  const addables = parts.map((part) => ({ safe: part.safe, addable: part.result && addableOf(part.result) }));
  if (addables.some((entry) => !entry.addable) || new Set(addables.map((entry) => entry.addable!.kind)).size !== 1)
    return [es ? "Sin total: estas cifras no se suman entre Safes." : "No total: these figures do not add up across Safes."];
  if (addables[0].addable!.kind === "count") {
    const count = addables.reduce((sum, entry) => sum + (entry.addable as { count: number }).count, 0);
    return [es ? `Total en las Safes: ${count}` : `Total across the Safes: ${count}`];
  }
  const byToken = new Map<string, { chainId: number; amount: Amount }>();
  for (const { safe, addable } of addables) {
    for (const amount of (addable as { amounts: Amount[] }).amounts) {
      const key = `${safe.chainId}:${amount.token.address?.toLowerCase() ?? "native"}`;
      const held = byToken.get(key);
      byToken.set(key, { chainId: safe.chainId, amount: held ? amountOf(amount.token, held.amount.units + amount.units) : amount });
    }
  }
  if (byToken.size === 0) return [es ? "Total en las Safes: nada" : "Total across the Safes: nothing"];
  const entries = [...byToken.values()];
  const symbolCount = (symbol: string) => entries.filter((entry) => entry.amount.token.symbol === symbol).length;
  const texts = entries.map(({ chainId, amount }) => {
    const text = money(amount, language);
    if (symbolCount(amount.token.symbol) === 1) return text;
    const where = amount.token.address ? `${amount.token.address.slice(0, 8)}…` : "";
    return `${text} (${es ? "cadena" : "chain"} ${chainId}${where ? `, ${where}` : ""})`;
  });
  const lines = [`${es ? "Total en las Safes" : "Total across the Safes"}: ${joinList(texts, language)}`];
  if (texts.length > new Set(entries.map((entry) => entry.amount.token.symbol)).size)
    lines.push(es ? "Los tokens del mismo nombre en otra cadena u otro contrato no se suman." : "Tokens of the same name on another chain or contract are not added together.");
  return lines;
}

