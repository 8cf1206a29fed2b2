/** What a bench sends to the Slack receiver: the kinds of request, and how often each comes (bench:slack and bench:hosted alike). */
export type Kind = "help" | "proposals" | "reply" | "chatter" | "mention" | "retry";
export const kinds: Kind[] = ["help", "proposals", "reply", "chatter", "mention", "retry"];

const mix: Array<[Kind, number]> = [
  ["reply", 0.4],
  ["chatter", 0.25],
  ["help", 0.2],
  ["proposals", 0.05],
  ["mention", 0.05],
  ["retry", 0.05],
];

/** The kind of request for a uniform random number in [0, 1). */
export function pickKind(random: number): Kind {
  let sum = 0;
  for (const [kind, share] of mix) {
    sum += share;
    if (random < sum) return kind;
  }
  return "chatter";
}
