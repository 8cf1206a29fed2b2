import type { AssistantContext } from "../../assistant/context.ts";
import type { TreasuryContext } from "../../core/context.ts";
import { connections, selectedSafe } from "./connections.ts";
import { fail } from "./output.ts";

/**
 * Runs a command against the treasury, then closes what it opened. Any error
 * prints one line and exits 1.
 */
export async function withTreasury(run: (ctx: TreasuryContext) => Promise<void>): Promise<void> {
  let treasury: Awaited<ReturnType<ReturnType<typeof connections>["openTreasury"]>>;
  try {
    treasury = await connections().openTreasury(selectedSafe());
  } catch (error) {
    fail(error);
  }
  try {
    await run(treasury.ctx);
  } catch (error) {
    await treasury.close();
    fail(error);
  }
  await treasury.close();
}

/**
 * Runs an assistant command from the database alone (no chain needed), then
 * closes it. Any error prints one line and exits 1.
 */
export async function withAssistant(run: (ctx: AssistantContext) => Promise<void>): Promise<void> {
  let assistant: Awaited<ReturnType<ReturnType<typeof connections>["openAssistant"]>>;
  try {
    assistant = await connections().openAssistant(selectedSafe());
  } catch (error) {
    fail(error);
  }
  try {
    await run(assistant.ctx);
  } catch (error) {
    assistant.close();
    fail(error);
  }
  assistant.close();
}
