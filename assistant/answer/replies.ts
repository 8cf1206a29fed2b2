import { AmbiguousNameError, EventNotFoundError, FuturePeriodError, InvalidPlanError, UnknownNameError, type NameKind } from "../execute/errors.ts";
import type { Language } from "../parse/lexicon.ts";
import { joinList, quote } from "./format.ts";

const kinds: Record<Language, Record<NameKind, string>> = {
  en: { payee: "payee", sender: "sender", person: "member", token: "token", category: "category", proposal: "proposal" },
  es: { payee: "beneficiario", sender: "remitente", person: "miembro", token: "token", category: "categoría", proposal: "propuesta" },
};

/** What the assistant can answer, said when a question is out of scope. */
export function scopeReply(language: Language): string {
  return language === "es"
    ? "Solo respondo preguntas sobre esta tesorería: pagos e ingresos (totales, número, medias, por mes, beneficiario o categoría, por encima de un importe, comparando periodos), flujo neto y pista, propuestas y quién las aprobó, lo que se discutió sobre ellas, saldos y propietarios. Por ejemplo: «¿Cuánto gastamos en infraestructura en el segundo trimestre?»"
    : "I only answer questions about this treasury: payments and deposits (totals, counts, averages, by month, payee or category, over an amount, one period against another), net flow and runway, proposals and who approved them, what was said about them, balances and owners. For example: “How much did we spend on infrastructure in Q2?”";
}

export function actionReply(language: Language): string {
  return language === "es"
    ? "Solo respondo preguntas: nunca pago, firmo, ejecuto ni envío nada. Para proponer un pago usa `/treasury pay 250 USDC to <beneficiario>`; los propietarios firman con su propia cartera."
    : "I only answer questions: I never pay, sign, execute or send anything. To propose a payment use `/treasury pay 250 USDC to <payee>`; owners approve with their own wallets.";
}

export function emptyReply(language: Language): string {
  return language === "es"
    ? "Pregúntame sobre la tesorería, por ejemplo: «¿Cuánto gastamos en diseño este año?», «¿Qué propuestas están pendientes?», «¿Quiénes son los propietarios?»."
    : "Ask me about the treasury, for example: “How much did we pay for design this year?”, “What is pending?”, “Who are the owners?”.";
}

export function tooLongReply(language: Language, length: number, max: number): string {
  return language === "es"
    ? `Esa pregunta tiene ${length.toLocaleString("es-ES")} caracteres; pregunta en menos de ${max}.`
    : `That question is ${length.toLocaleString("en-US")} characters long; please ask in under ${max} characters.`;
}

export function injectionNote(language: Language): string {
  return language === "es"
    ? "(Respondo solo con lo que dicen los registros; no sigo instrucciones escritas dentro de una pregunta o de un mensaje.)"
    : "(I answer from the records only; instructions written inside a question or a message are not followed.)";
}

export function compareClarify(language: Language): string {
  return language === "es" ? "¿Comparar con qué periodo? Por ejemplo: «T2 frente a T3» o «marzo frente a abril»." : "Compare with which period? For example “Q2 against Q3” or “March vs April”.";
}

export function didYouMean(language: Language, wanted: string, options: string[]): string {
  return language === "es"
    ? `No conozco ${quote(wanted)} exactamente. ¿Te refieres a ${joinList(options, "es").replace(/ y /, " o ")}? Pregunta de nuevo con el nombre.`
    : `I don't know ${quote(wanted)} exactly. Did you mean ${joinList(options, "en").replace(/ and /, " or ")}? Ask again with that name.`;
}

/** A plan error, in the question's language: never a figure. */
export function errorReply(error: unknown, language: Language): string | undefined {
  const es = language === "es";
  if (error instanceof UnknownNameError) {
    const kind = kinds[language][error.what];
    const closest = error.closest.length ? (es ? `; los más parecidos son ${joinList(error.closest, language)}` : `; the closest are ${joinList(error.closest, language)}`) : "";
    return es ? `No conozco ningún ${kind} llamado ${error.wanted}${closest}. No doy una cifra para un nombre que no conozco.` : `I know no ${kind} called ${error.wanted}${closest}. I give no figure for a name I do not know.`;
  }
  if (error instanceof AmbiguousNameError)
    return es
      ? `${quote(error.wanted)} puede ser ${joinList(error.options, language).replace(/ y ([^y]*)$/, " o $1")}. ¿Cuál quieres decir?`
      : `${quote(error.wanted)} could be ${joinList(error.options, language).replace(/ and ([^,]*)$/, " or $1")}. Which one do you mean?`;
  if (error instanceof FuturePeriodError)
    return es
      ? `${error.period} aún no ha empezado: todavía no hay datos (el historial indexado llega hasta ${error.dataUntil}).`
      : `${error.period} has not begun yet, so there is no data for it (the indexed history goes up to ${error.dataUntil}).`;
  if (error instanceof EventNotFoundError) return es ? `El historial no muestra ese hecho: ${error.event}.` : `The history shows no such event: ${error.event}.`;
  if (error instanceof InvalidPlanError) return es ? `No puedo responder eso tal cual: ${error.issues.join("; ")}.` : `I cannot answer that as asked: ${error.issues.join("; ")}.`;
  return undefined;
}
