import type { Language } from "../parse/lexicon.ts";

/** The fixed phrases of answers, per language. */
export const words = {
  en: {
    payments: (n: number) => (n === 1 ? "payment" : "payments"),
    deposits: (n: number) => (n === 1 ? "deposit" : "deposits"),
    proposals: (n: number) => (n === 1 ? "proposal" : "proposals"),
    approvals: (n: number) => (n === 1 ? "approval" : "approvals"),
    messages: (n: number) => (n === 1 ? "message" : "messages"),
    and: "and",
    in: "in",
    to: "to",
    from: "from",
    none: "none",
    allHistory: (start: string | null, now: string) => (start ? `since the history began (${start} to ${now})` : `so far (to ${now})`),
    chainLine: (chain: string, block: number | null, date: string | null, source: string) =>
      block === null ? `Chain: ${chain}; nothing indexed yet.` : `Chain: ${chain}; as of block ${block} (${date}, ${source === "latest block" ? "the latest indexed block" : "the given date"}).`,
    sources: "Sources",
    more: (n: number) => `…and ${n} more`,
    status: { pending: "pending", executed: "executed", rejected: "rejected", cancelled: "cancelled", failed: "failed", replaced: "replaced" } as Record<string, string>,
    measure: { largest: "Largest", smallest: "Smallest", first: "first", last: "latest" },
  },
  es: {
    payments: (n: number) => (n === 1 ? "pago" : "pagos"),
    deposits: (n: number) => (n === 1 ? "ingreso" : "ingresos"),
    proposals: (n: number) => (n === 1 ? "propuesta" : "propuestas"),
    approvals: (n: number) => (n === 1 ? "aprobación" : "aprobaciones"),
    messages: (n: number) => (n === 1 ? "mensaje" : "mensajes"),
    and: "y",
    in: "en",
    to: "a",
    from: "de",
    none: "ninguna",
    allHistory: (start: string | null, now: string) => (start ? `desde el inicio del historial (${start} a ${now})` : `hasta ahora (${now})`),
    chainLine: (chain: string, block: number | null, date: string | null, source: string) =>
      block === null
        ? `Cadena: ${chain}; aún no hay nada indexado.`
        : `Cadena: ${chain}; a fecha del bloque ${block} (${date}, ${source === "latest block" ? "el último bloque indexado" : "la fecha indicada"}).`,
    sources: "Fuentes",
    more: (n: number) => `…y ${n} más`,
    status: { pending: "pendiente", executed: "ejecutada", rejected: "rechazada", cancelled: "cancelada", failed: "fallida", replaced: "reemplazada" } as Record<string, string>,
    measure: { largest: "Mayor", smallest: "Menor", first: "primer", last: "último" },
  },
} satisfies Record<Language, unknown>;
