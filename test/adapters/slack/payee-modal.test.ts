import assert from "node:assert/strict";
import { getAddress, parseUnits } from "viem";
import { addAddressBookEntry } from "../../../core/people/address-book.ts";
import { proposePayment } from "../../../core/proposals/propose.ts";
import { acme, blocksText, channel, commandFields, startSlackHarness, users, type SlackHarness } from "./harness.ts";
import { connectionOf } from "../../../db/connection.ts";

const nobody = getAddress("0x8626f6940e2eb28930efb4cef49b2d1f2c9c1199");
const printer = getAddress("0xdd2fd4581271e230360230f9337d5c0430bf44c0");

describe("adding a payee from Slack, with the database's categories (adapters/slack/payee-modal)", function () {
  this.timeout(120_000);
  let h: SlackHarness;

  before(async () => {
    h = await startSlackHarness();
    // Categories in use: one on an address-book entry (Acme's "design", from the harness), one only on a proposal.
    addAddressBookEntry(h.ctx, { label: "Printer Co", address: printer, category: "Printing", addedBy: "test" });
    await proposePayment(h.ctx, { payments: [{ amount: "1", token: "USDC", payee: "Printer Co" }], proposer: "ana", category: "Travel" });
    await h.adapter.idle();
  });
  after(() => h?.stop());

  const countRows = (table: string) => (connectionOf(h.ctx.db).prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  const categoriesIn = (view: any): string[] =>
    (view.blocks as any[]).filter((block) => block.block_id === "category").flatMap((block) => block.element.options.map((option: any) => option.value));
  const submission = (view: any, values: Record<string, unknown>, user: string = users.dana) => ({
    type: "view_submission",
    team: { id: "T0FAKE" },
    user: { id: user },
    trigger_id: `${Date.now()}.${Math.random()}`,
    view: { id: "V9", callback_id: view.callback_id, private_metadata: view.private_metadata, state: { values } },
  });
  const text = (value: string) => ({ value: { type: "plain_text_input", value } });
  const picked = (value: string) => ({ value: { type: "static_select", selected_option: { value } } });
  /** A click on a button of the ephemeral answer to a command, as Slack sends it. */
  const clickInMessage = (button: any, user: string) => ({
    type: "block_actions",
    team: { id: "T0FAKE" },
    user: { id: user },
    container: { type: "message", message_ts: "1700000000.000100", channel_id: channel, is_ephemeral: true },
    trigger_id: `${Date.now()}.${Math.random()}`,
    channel: { id: channel, name: "treasury" },
    response_url: `${h.fake.url}/response/1`,
    actions: [{ action_id: button.action_id, block_id: "add_payees", value: button.value, type: "button", action_ts: `${Date.now() / 1000}` }],
  });

  let payeeForm: any;

  it("opens the payee form from the unknown payee's button, named and with the categories in use", async () => {
    const response = await h.slack.command(commandFields("pay 5 USDC to Nobody Inc for invoice 12", users.dana));
    const answer = await response.json();
    const button = answer.blocks.find((block: any) => block.type === "actions").elements[0];
    assert.equal((await h.slack.interaction(clickInMessage(button, users.dana))).status, 200);
    payeeForm = await h.fake.waitFor(() => h.fake.callsOf("views.open").at(-1)?.args.view, 5000, "views.open");
    assert.equal(payeeForm.callback_id, "treasury_payee_add");
    const label = payeeForm.blocks.find((block: any) => block.block_id === "label");
    assert.equal(label.element.initial_value, "Nobody Inc");
    assert.deepEqual(new Set(categoriesIn(payeeForm)), new Set(["design", "Printing", "Travel"]));
    assert.ok(payeeForm.blocks.some((block: any) => block.block_id === "new_category" && block.element.type === "plain_text_input"), "a new category can be typed");
    assert.match(blocksText({ blocks: payeeForm.blocks }), /Once it is added, I'll propose 5 USDC to Nobody Inc/);
  });

  it("names each problem beside its field and stores nothing", async () => {
    const before = countRows("address_book");
    const wrongChecksum = `0x${nobody.slice(2, 10).toLowerCase()}${nobody.slice(10).toUpperCase()}`;
    const cases: Array<[Record<string, unknown>, Record<string, RegExp>]> = [
      [{ label: text("Acme design studio"), address: text(nobody) }, { label: /already in the address book, for 0xd0D87b/ }],
      [{ label: text("Nobody Inc"), address: text(acme.toLowerCase()) }, { address: /already in the address book as “Acme Design Studio”/ }],
      [{ label: text("Nobody Inc"), address: text(wrongChecksum) }, { address: /wrong checksum/ }],
      [{ label: text("Nobody Inc"), address: text(nobody), category: picked("Travel"), new_category: text("Legal") }, { new_category: /Pick “Travel” or type a new category, not both/ }],
      [{ label: text(""), address: text("") }, { label: /Give the payee a name/, address: /0x address/ }],
    ];
    for (const [values, expected] of cases) {
      const response = await h.slack.interaction(submission(payeeForm, values));
      assert.equal(response.status, 200);
      const body = await response.json();
      assert.equal(body.response_action, "errors");
      for (const [field, pattern] of Object.entries(expected)) assert.match(String(body.errors[field]), pattern, field);
    }
    await h.adapter.idle();
    assert.equal(countRows("address_book"), before);
  });

  it("adds the payee with a new category, then proposes the payment that waited for it", async () => {
    const response = await h.slack.interaction(submission(payeeForm, { label: text("Nobody Inc"), address: text(nobody.toLowerCase()), new_category: text("Legal") }));
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "", "the form closes");
    await h.adapter.idle();
    await h.adapter.idle();
    const entry = connectionOf(h.ctx.db).prepare("SELECT address, category, added_by FROM address_book WHERE label = 'Nobody Inc'").get() as { address: string; category: string; added_by: string };
    assert.deepEqual(entry, { address: nobody, category: "Legal", added_by: "dana" });
    const said = h.fake.callsOf("chat.postEphemeral").filter((call) => call.args.user === users.dana).map((call) => call.args.text);
    assert.ok(said.some((line) => line.includes(`Added *Nobody Inc* (\`${nobody}\`, category Legal) to the address book.`)), said.join(" | "));
    const proposal = connectionOf(h.ctx.db).prepare("SELECT safe_tx_hash, memo, proposer FROM proposals WHERE memo = 'invoice 12'").get() as { safe_tx_hash: string; memo: string; proposer: string };
    assert.equal(proposal.proposer, "dana");
    const transfer = connectionOf(h.ctx.db).prepare("SELECT to_address, amount FROM proposal_transfers WHERE safe_tx_hash = ?").get(proposal.safe_tx_hash);
    assert.deepEqual(transfer, { to_address: nobody, amount: parseUnits("5", 6).toString() });
    const card = connectionOf(h.ctx.db).prepare("SELECT message_ts FROM proposal_messages WHERE safe_tx_hash = ?").get(proposal.safe_tx_hash) as { message_ts: string };
    assert.match(blocksText(h.fake.findMessage(channel, card.message_ts)), /5 USDC\* to \*Nobody Inc/);
  });

  it("offers the new category in the payment form, beside a field for another new one", async () => {
    assert.equal((await h.slack.command(commandFields("", users.dana))).status, 200);
    const form = await h.fake.waitFor(() => h.fake.callsOf("views.open").map((call) => call.args.view).find((view) => view.callback_id === "treasury_pay"), 5000, "the payment form");
    assert.deepEqual(new Set(categoriesIn(form)), new Set(["design", "Printing", "Travel", "Legal"]));
    assert.ok(form.blocks.some((block: any) => block.block_id === "new_category"));
    // A typed category is kept as typed.
    const complete = await h.slack.interaction(
      submission(form, {
        payee_1: text("Printer Co"),
        amount_1: text("2"),
        token_1: picked("USDC"),
        memo: text("posters"),
        new_category: text("Events"),
      }),
    );
    assert.equal(complete.status, 200);
    await h.adapter.idle();
    assert.equal((connectionOf(h.ctx.db).prepare("SELECT category FROM proposals WHERE memo = 'posters'").get() as { category: string }).category, "Events");
  });

  it("checks the payment form's payees before it closes, and pushes the payee form on top of it", async () => {
    const form = h.fake.callsOf("views.open").map((call) => call.args.view).find((view) => view.callback_id === "treasury_pay");
    const before = countRows("proposals");
    const response = await h.slack.interaction(submission(form, { payee_1: text("Somebody New"), amount_1: text("3"), token_1: picked("USDC") }));
    const body = await response.json();
    assert.equal(body.response_action, "errors");
    assert.match(body.errors.payee_1, /“Somebody New” is not in the address book: add it with “Add a payee” at the top of this form/);
    await h.adapter.idle();
    assert.equal(countRows("proposals"), before);

    // The form's own "Add a payee" button.
    const button = form.blocks.find((block: any) => block.block_id === "add_payee").accessory;
    const click = {
      type: "block_actions",
      team: { id: "T0FAKE" },
      user: { id: users.dana },
      container: { type: "view", view_id: "V42" },
      trigger_id: `${Date.now()}.${Math.random()}`,
      view: { id: "V42", callback_id: "treasury_pay", private_metadata: form.private_metadata, state: { values: {} } },
      actions: [{ action_id: button.action_id, block_id: "add_payee", value: button.value, type: "button", action_ts: `${Date.now() / 1000}` }],
    };
    assert.equal((await h.slack.interaction(click)).status, 200);
    const pushed = await h.fake.waitFor(() => h.fake.callsOf("views.push").at(-1)?.args.view, 5000, "views.push");
    assert.equal(pushed.callback_id, "treasury_payee_add");
    assert.deepEqual(JSON.parse(pushed.private_metadata), { channelId: channel, userId: users.dana }, "nothing to propose after: the payment form is still open");
  });

  it("lets only people who may propose add payees (SLACK_PROPOSERS)", async () => {
    h.adapter.deps.settings.proposers = "members";
    try {
      const response = await h.slack.interaction(submission(payeeForm, { label: text("Stranger Things"), address: text("0x00000000000000000000000000000000000bad01") }, users.stranger));
      assert.equal(response.status, 200);
      await h.adapter.idle();
      const said = h.fake.callsOf("chat.postEphemeral").filter((call) => call.args.user === users.stranger).map((call) => call.args.text);
      assert.match(said.at(-1) ?? "", /Only members of the treasury can propose payments here/);
      assert.equal(connectionOf(h.ctx.db).prepare("SELECT 1 FROM address_book WHERE label = 'Stranger Things'").get(), undefined);
    } finally {
      h.adapter.deps.settings.proposers = "anyone";
    }
  });
});
