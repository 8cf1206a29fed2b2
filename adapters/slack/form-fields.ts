/** The longest category a person may type. */
const maxCategory = 40;

/** What a person entered in one input block of a submitted form (a picked option or typed text), trimmed; undefined when empty. */
export function fieldValue(values: Record<string, any>, blockId: string): string | undefined {
  const field = values?.[blockId]?.value;
  const raw = field?.selected_option?.value ?? field?.value;
  return typeof raw === "string" && raw.trim() !== "" ? raw.trim() : undefined;
}

/**
 * The category fields of a form: a list of the categories the treasury
 * already uses (from the database), when there are any, and a text field
 * beside it for a new one (Slack's lists cannot take typed text).
 */
export function categoryBlocks(categories: readonly string[]): unknown[] {
  const blocks: unknown[] = [];
  if (categories.length > 0)
    blocks.push({
      type: "input",
      block_id: "category",
      optional: true,
      label: { type: "plain_text", text: "Category" },
      element: {
        type: "static_select",
        action_id: "value",
        placeholder: { type: "plain_text", text: "Pick one" },
        options: categories.slice(0, 100).map((category) => ({ text: { type: "plain_text", text: category.slice(0, 75) }, value: category.slice(0, 150) })),
      },
    });
  blocks.push({
    type: "input",
    block_id: "new_category",
    optional: true,
    label: { type: "plain_text", text: categories.length > 0 ? "Or a new category" : "Category" },
    element: { type: "plain_text_input", action_id: "value", max_length: maxCategory },
  });
  return blocks;
}

/**
 * The category a submitted form names: the one picked or the one typed
 * (both at once only when they are the same). A problem is written into
 * `errors` beside the field.
 */
export function readCategory(values: Record<string, any>, errors: Record<string, string>): string | undefined {
  const picked = fieldValue(values, "category");
  const typed = fieldValue(values, "new_category");
  if (picked && typed && picked.toLowerCase() !== typed.toLowerCase()) errors.new_category = `Pick “${picked}” or type a new category, not both.`;
  else if (typed && typed.length > maxCategory) errors.new_category = `A category is at most ${maxCategory} characters.`;
  return picked ?? typed;
}
