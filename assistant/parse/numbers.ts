import { numberWords, type Language } from "./lexicon.ts";

/**
 * Reads a number as people write it, exactly, into a plain decimal string:
 * "1,000", "1,000.50", "2.5k", "$300", "1.000" and "1.000,50" in Spanish,
 * and number words ("one thousand", "two thousand five hundred", "mil",
 * "dos mil quinientos"). Undefined when it is not a number.
 */
export function parseNumber(text: string, language: Language): string | undefined {
  let t = text.trim().replace(/^\$/, "").replace(/\s+/g, " ");
  let multiplier = 1n;
  const suffix = /^(.*?)(?:\s*)(k|m|mil|thousand|million|millones|millon)$/.exec(t);
  if (suffix && /\d/.test(suffix[1])) {
    t = suffix[1];
    multiplier = /^(k|mil|thousand)$/.test(suffix[2]) ? 1000n : 1_000_000n;
  }
  let plain: string | undefined;
  if (/^\d+$/.test(t)) plain = t;
  else if (language === "es" && /^\d{1,3}(\.\d{3})+(,\d+)?$/.test(t)) plain = t.replace(/\./g, "").replace(",", ".");
  else if (language === "es" && /^\d+,\d+$/.test(t)) plain = t.replace(",", ".");
  else if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) plain = t.replace(/,/g, "");
  else if (/^\d*\.\d+$/.test(t)) plain = t.startsWith(".") ? `0${t}` : t;
  else if (language === "es" && /^\d{1,3}( \d{3})+$/.test(t)) plain = t.replace(/ /g, "");
  if (plain === undefined) {
    const words = t.split(/[\s-]+|\by\b|\band\b/).filter(Boolean);
    if (words.length === 0 || !words.every((word) => word in numberWords || word === "y" || word === "and" || word === "a")) return undefined;
    let total = 0;
    let current = 0;
    for (const word of words) {
      if (word === "y" || word === "and" || word === "a") continue;
      const value = numberWords[word];
      if (value === 100) current = (current || 1) * 100;
      else if (value >= 1000) {
        total += (current || 1) * value;
        current = 0;
      } else current += value;
    }
    plain = String(total + current);
  }
  if (multiplier === 1n) return normalizeDecimal(plain);
  const [whole, fraction = ""] = plain.split(".");
  const scale = multiplier === 1000n ? 3 : 6;
  if (fraction.length > scale) return undefined;
  const digits = BigInt(whole + fraction.padEnd(scale, "0"));
  return normalizeDecimal(digits.toString());
}

function normalizeDecimal(text: string): string {
  const [whole, fraction] = text.split(".");
  const w = whole.replace(/^0+(?=\d)/, "");
  const f = (fraction ?? "").replace(/0+$/, "");
  return f ? `${w}.${f}` : w;
}

/** A number in a question: digits with separators and an optional k/m suffix, or number words. */
export const numberPattern =
  "\\$?\\d[\\d.,]*(?:\\s?(?:k|m|mil|thousand|million|millones)(?![\\p{L}\\p{N}]))?|(?:(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty|hundred|thousand|million|un|una|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|veinte|cincuenta|cien|ciento|quinientos|mil|millon|millones|and|y)(?:[\\s-]+|(?![\\p{L}\\p{N}])))+";
