import { createInterface } from "node:readline/promises";

export type PromptStreams = { input: NodeJS.ReadableStream; output: NodeJS.WritableStream };

/**
 * Asks a question and resolves true only if the person types "yes" (any case,
 * surrounding spaces ignored). Anything else, an empty line or the end of
 * input is a no. The streams are given so that tests can type the answer.
 */
export async function confirmYes(question: string, { input, output }: PromptStreams): Promise<boolean> {
  const readline = createInterface({ input, output, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      readline.once("close", () => resolve(""));
      void readline.question(question).then(resolve, () => resolve(""));
    });
    return answer.trim().toLowerCase() === "yes";
  } finally {
    readline.close();
  }
}
