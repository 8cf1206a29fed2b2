import assert from "node:assert/strict";
import { getAddress, parseEther, type Address } from "viem";
import type { TreasuryContext } from "../../../core/context.ts";
import { addAddressBookEntry } from "../../../core/people/address-book.ts";
import { upsertMember } from "../../../core/people/members.ts";
import { createSafe } from "../../../devchain/create-safe.ts";
import { createIndexer } from "../../../indexer/indexer.ts";
import { connectionOf } from "../../../db/connection.ts";
import { readInstallation } from "../../../db/installations.ts";
import { assignSafeToWorkspace, boundSafeId, forSafe, registerSafe } from "../../../db/safes.ts";
import { readChannelBinding } from "../../../db/slack.ts";
import { testChainSafe } from "../../helpers/context.ts";
import { wallet } from "../../indexer/safe-helpers.ts";
import { linkWallet } from "../../helpers/wallet-links.ts";
import { eventId } from "../../helpers/fake-slack.ts";
import { acme, ana, ben, blockAction, channel, chen, commandFields, commandReply, eventCallback, startSlackHarness, users, type SlackHarness } from "./harness.ts";

const oauthApp = { clientId: "1234.5678", clientSecret: "client-secret-of-the-app" };
const home = { teamId: "T0FAKE", teamName: "Home", botToken: "xoxb-test-token", botUserId: "UBOT", code: "unused-home-code", channels: [channel] };
const beta = { teamId: "TBETA", teamName: "Beta", botToken: "xoxb-beta-bot-token", botUserId: "UBETABOT", code: "code-for-beta", channels: ["CBETA"] };
/** Beta's own "Acme Design Studio" (the home workspace's is `acme`), and a payee only the home workspace knows. */
const betaAcme = getAddress("0x00000000000000000000000000000000000be7a1");
const northside = getAddress("0x000000000000000000000000000000000000a0b1");
const gamma = { teamId: "TGAMMA", teamName: "Gamma", botToken: "xoxb-gamma-bot-token", botUserId: "UGAMMABOT", code: "code-for-gamma", channels: ["CGAMMA"] };

describe("many Slack workspaces: OAuth installs and workspace scoping (adapters/slack)", function () {
  this.timeout(240_000);
  let h: SlackHarness;
  let betaCtx: TreasuryContext;
  let betaAddress: Address;

  const fieldsIn = (team: string, text: string, user: string, channelId: string) => ({ ...commandFields(text, user, channelId), team_id: team });
  const command = (team: string, text: string, user: string, channelId: string) => commandReply(h, fieldsIn(team, text, user, channelId));
  /** Goes through Slack's install flow for a workspace the fake knows; returns the redirect's HTTP status. */
  async function install(code: string): Promise<{ location: string; status: number }> {
    const started = await fetch(`${h.baseUrl}/slack/install`, { redirect: "manual" });
    const location = String(started.headers.get("location"));
    const cookie = String(started.headers.get("set-cookie") ?? "").split(";")[0];
    const state = new URL(location).searchParams.get("state") ?? "";
    const done = await fetch(`${h.baseUrl}/slack/oauth_redirect?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`, { headers: { cookie }, redirect: "manual" });
    await done.text();
    return { location, status: done.status };
  }
  const payeesOf = (safeTxHash: string) =>
    (connectionOf(h.ctx.db).prepare("SELECT to_address FROM proposal_transfers WHERE safe_tx_hash = ? ORDER BY batch_index").pluck().all(safeTxHash) as string[]).map((a) => getAddress(a));
  const pendingOf = (safeAddress: string) =>
    connectionOf(h.ctx.db).prepare("SELECT safe_tx_hash AS hash, review_token AS token, status FROM proposals WHERE lower(safe_address) = lower(?) ORDER BY created_at").all(safeAddress) as Array<{ hash: string; token: string; status: string }>;

  before(async () => {
    h = await startSlackHarness({
      env: { SLACK_CLIENT_ID: oauthApp.clientId, SLACK_CLIENT_SECRET: oauthApp.clientSecret, SLACK_STATE_SECRET: "a-state-secret-of-32-characters!" },
      moreTreasuries: async (ctx, chain) => {
        const created = await createSafe(chain.node.provider, { version: "1.4.1", flavour: "L2", owners: [ana.address, ben.address, chen.address], threshold: 2, saltNonce: 777n });
        betaAddress = created.address;
        const registered = registerSafe(ctx.db, { chainId: ctx.chainId, address: created.address, name: "beta", now: Math.floor(Date.now() / 1000), workspace: beta.teamId });
        const safe = { ...testChainSafe(chain), domain: { chainId: ctx.chainId, verifyingContract: created.address }, creationBlock: created.creationBlock };
        betaCtx = { ...ctx, safeAddress: created.address, safe, db: forSafe(ctx.db, registered.id) };
        return [betaCtx];
      },
    });
    for (const workspace of [home, beta, gamma]) h.fake.addWorkspace(workspace);
    // Beta's own people and payees: Ana (her owner wallet linked in Beta too) and Dana; Ben linked his only at home.
    upsertMember(betaCtx, { id: "ana", name: "Ana at Beta", slackUserId: users.ana, role: "owner" });
    linkWallet(betaCtx.db, "ana", ana.address);
    upsertMember(betaCtx, { id: "dana", name: "Dana", slackUserId: users.dana, role: "member" });
    addAddressBookEntry(betaCtx, { label: "Acme Design Studio", address: betaAcme, category: "grants", addedBy: "test" });
    addAddressBookEntry(h.ctx, { label: "Northside Print", address: northside, category: "printing", addedBy: "test" });
    h.fake.setOAuthApp(oauthApp);
    const hash = await wallet(h.chain, 6).sendTransaction({ to: betaAddress, value: parseEther("3") });
    await h.chain.client.waitForTransactionReceipt({ hash });
    await createIndexer({ ctx: h.ctx, progress: "off" }).runOnce();
    await createIndexer({ ctx: betaCtx, progress: "off" }).runOnce();
    await h.adapter.idle();
  });
  after(() => h?.stop());

  it("installs through Slack's OAuth flow: /slack/install redirects with a state, the code is exchanged at oauth.v2.access and the installation stored", async () => {
    const refused = await install("a-code-slack-never-issued");
    assert.notEqual(refused.status, 200);
    assert.equal(readInstallation(h.ctx.db, beta.teamId), undefined);

    const first = await install(beta.code);
    const authorize = new URL(first.location);
    assert.equal(`${authorize.origin}${authorize.pathname}`, "https://slack.com/oauth/v2/authorize");
    assert.equal(authorize.searchParams.get("client_id"), oauthApp.clientId);
    assert.ok(authorize.searchParams.get("state"), "a state travels with the redirect");
    assert.match(String(authorize.searchParams.get("scope")), /commands/);
    assert.equal(first.status, 200);
    const exchange = h.fake.callsOf("oauth.v2.access").filter((call) => call.args.code === beta.code);
    assert.equal(exchange.length, 1);
    assert.equal(exchange[0].args.client_id, oauthApp.clientId);
    assert.equal(exchange[0].args.client_secret, oauthApp.clientSecret);
    const stored = readInstallation(h.ctx.db, beta.teamId);
    assert.equal(stored?.botToken, beta.botToken);
    assert.equal(stored?.botUserId, beta.botUserId);

    const second = await install(gamma.code);
    assert.equal(second.status, 200);
    assert.equal(readInstallation(h.ctx.db, gamma.teamId)?.botToken, gamma.botToken);
    // The state is for one browser session: the redirect without the install's cookie stores nothing.
    const started = await fetch(`${h.baseUrl}/slack/install`, { redirect: "manual" });
    const state = new URL(String(started.headers.get("location"))).searchParams.get("state") ?? "";
    const forged = await fetch(`${h.baseUrl}/slack/oauth_redirect?code=${gamma.code}&state=${encodeURIComponent(state)}`, { redirect: "manual" });
    assert.notEqual(forged.status, 200);
  });

  it("a workspace binds only its own Safes: another workspace's Safe is unknown there, and each reply goes with the workspace's own token", async () => {
    const crossed = await command(beta.teamId, "bind main", users.ana, "CBETA");
    assert.match(crossed, /No Safe is called "main" here; the Safes are: `beta`/);
    assert.equal(readChannelBinding(h.ctx.db, "CBETA"), undefined);
    const fromHome = await command(home.teamId, "bind beta", users.ana, channel);
    assert.match(fromHome, /No Safe is called "beta"/);
    assert.equal(readChannelBinding(h.ctx.db, channel)?.safeAddress, h.ctx.safeAddress);

    await command(beta.teamId, "bind beta", users.ana, "CBETA");
    const binding = readChannelBinding(h.ctx.db, "CBETA");
    assert.equal(binding?.safeAddress, betaAddress);
    assert.equal(binding?.workspace, beta.teamId);
    const told = h.fake.callsOf("chat.postEphemeral").filter((call) => call.args.channel === "CBETA").at(-1);
    assert.equal(told?.token, beta.botToken);
    assert.match(String(told?.args.text), /beta/);
    // Gamma names the home channel: it is not bound in Gamma, so nothing of the home Safe answers.
    const gammaInHome = await command(gamma.teamId, "proposals", users.ana, channel);
    assert.match(gammaInHome, /not bound to a treasury/);
  });

  it("a channel whose Safe moved to another workspace (`treasury safes assign`) no longer answers for it, and does again once it is back", async () => {
    const betaId = boundSafeId(betaCtx.db)!;
    await command(beta.teamId, "bind beta", users.ana, "CBETA");
    assert.equal(readChannelBinding(h.ctx.db, "CBETA")?.safeAddress, betaAddress);
    assignSafeToWorkspace(h.ctx.db, betaId, gamma.teamId);
    try {
      const moved = await command(beta.teamId, "proposals", users.ana, "CBETA");
      assert.match(moved, new RegExp(`bound to the Safe ${betaAddress} on chain ${h.ctx.chainId}, which this app does not serve here`));
      const events = h.fake.callsOf("chat.postEphemeral").length;
      await h.slack.event({
        ...eventCallback({ type: "app_mention", channel: "CBETA", user: users.ana, text: `<@${beta.botUserId}> balance`, ts: "1.100001" }, eventId()),
        team_id: beta.teamId,
        authorizations: [{ team_id: beta.teamId, user_id: beta.botUserId, is_bot: true }],
      });
      await h.adapter.idle();
      const answer = h.fake.callsOf("chat.postMessage").find((call) => call.args.channel === "CBETA" && call.args.thread_ts === "1.100001");
      assert.match(String(answer?.args.text), /bound to the Safe .* which this app does not serve here/, "a mention there is refused too, with no figure of the Safe");
      assert.equal(answer?.token, beta.botToken);
      assert.equal(h.fake.callsOf("chat.postEphemeral").length, events);
    } finally {
      assignSafeToWorkspace(h.ctx.db, betaId, beta.teamId);
    }
    assert.doesNotMatch(await command(beta.teamId, "proposals", users.ana, "CBETA"), /does not serve here/);
  });

  it("proposals, buttons and questions from one workspace never reach another workspace's Safe", async () => {
    await command(home.teamId, "pay 1 USDC to Acme Design Studio for home work", users.dana, channel);
    const homeProposal = await h.fake.waitFor(() => pendingOf(h.ctx.safeAddress).at(-1), 20_000, "the home proposal");
    await command(beta.teamId, "pay 0.5 ETH to Acme Design Studio for a beta grant", users.dana, "CBETA");
    const betaProposal = await h.fake.waitFor(() => pendingOf(betaAddress).at(-1), 20_000, "the beta proposal");
    assert.deepEqual(payeesOf(betaProposal.hash), [betaAcme], "Beta's label names Beta's payee");
    assert.deepEqual(payeesOf(homeProposal.hash), [acme]);
    await h.adapter.idle();
    const betaCard = h.fake.callsOf("chat.postMessage").find((call) => call.args.channel === "CBETA" && /0\.5/.test(JSON.stringify(call.args)));
    assert.equal(betaCard?.token, beta.botToken, "Beta's card is posted with Beta's token");
    const homeCard = h.fake.callsOf("chat.postMessage").find((call) => call.args.channel === channel && /home work/.test(JSON.stringify(call.args)));
    assert.equal(homeCard?.token, home.botToken);
    assert.equal(h.fake.calls.filter((call) => call.status === 200 && call.method.startsWith("chat.") && call.token === beta.botToken && call.args.channel === channel).length, 0);

    // Beta clicks Reject on the home proposal's hash: the home proposal is untouched, Beta is told, with Beta's token.
    const before = h.fake.callsOf("chat.postEphemeral").length;
    const response = await h.slack.interaction({ ...blockAction("proposal_reject", homeProposal.hash, users.ana, "1.000001", "CBETA"), team: { id: beta.teamId, domain: "beta" } });
    assert.equal(response.status, 200);
    await h.adapter.idle();
    assert.equal(pendingOf(h.ctx.safeAddress).find((row) => row.hash === homeProposal.hash)?.status, "pending");
    const warned = h.fake.callsOf("chat.postEphemeral").slice(before).find((call) => call.args.user === users.ana);
    assert.equal(warned?.token, beta.botToken);
    assert.match(String(warned?.args.text), /:warning:/);

    // Beta asks about the home Safe by name: refused as unknown, with no figure of it.
    const asked = h.fake.callsOf("chat.postMessage").length;
    await command(beta.teamId, "ask what is the balance in the main Safe?", users.dana, "CBETA");
    const answer = h.fake.callsOf("chat.postMessage").slice(asked).find((call) => call.args.channel === "CBETA" && call.args.thread_ts);
    assert.ok(answer, "an answer in Beta's channel");
    assert.equal(answer.token, beta.botToken);
    assert.match(String(answer.args.text), /No Safe is called “main” here; the Safes are: beta\./);
    assert.doesNotMatch(String(answer.args.text), /5,000|5000|USDC|10 ETH/);
    // A mention in Beta's channel about "all Safes" covers Beta's only: its 3 ETH, not the home Safe's 10.
    const mentioned = h.fake.callsOf("chat.postMessage").length;
    const event = await h.slack.event({ ...eventCallback({ type: "app_mention", channel: "CBETA", user: users.dana, text: "<@UBETABOT> what is the ETH balance across all our Safes?", ts: "1700000000.000100" }, eventId()), team_id: beta.teamId });
    assert.equal(event.status, 200);
    await h.adapter.idle();
    const overall = h.fake.callsOf("chat.postMessage").slice(mentioned).find((call) => call.args.channel === "CBETA");
    assert.ok(overall);
    assert.doesNotMatch(String(overall.args.text), /\b10\b|main/);

    // The web: Beta's review link shows Beta's proposal and Safe; a home proposal's hash is no link.
    const page = await fetch(`${h.baseUrl}/api/review/${encodeURIComponent(betaProposal.token)}`);
    const body = await page.text();
    assert.equal(page.status, 200);
    assert.equal(JSON.parse(body).safeTxHash, betaProposal.hash);
    assert.doesNotMatch(body.toLowerCase(), new RegExp(h.ctx.safeAddress.slice(2).toLowerCase()));
    assert.equal((await fetch(`${h.baseUrl}/review/${homeProposal.hash}`)).status, 404);
  });

  it("people and payees are each workspace's own: another workspace's labels, wallet links and known payees count for nothing here", async () => {
    const ephemeralTo = (user: string, from: number) => h.fake.callsOf("chat.postEphemeral").slice(from).filter((call) => call.args.channel === "CBETA" && call.args.user === user);
    const proposals = pendingOf(betaAddress).length;

    // A label only the home workspace has is unknown in Beta: nothing is proposed, and the home payee's address is not shown.
    const unknown = await command(beta.teamId, "pay 1 ETH to Northside Print for posters", users.dana, "CBETA");
    assert.match(unknown, /“Northside Print” is not in the address book/);
    assert.doesNotMatch(unknown, new RegExp(northside.slice(2), "i"));
    assert.equal(pendingOf(betaAddress).length, proposals, "nothing was proposed");

    // Ben linked his owner wallet at home only: in Beta he is no one until he links it there.
    const from = h.fake.callsOf("chat.postEphemeral").length;
    await command(beta.teamId, "bind beta", users.ben, "CBETA");
    assert.match(String(ephemeralTo(users.ben, from).at(-1)?.args.text), /run `\/treasury link` to link your wallet first/);

    // Ben links his wallet through a link asked for in Beta: the message names Beta's Safe, and from then on he is an owner there too.
    const asked = h.fake.callsOf("chat.postEphemeral").length;
    await command(beta.teamId, "link", users.ben, "CBETA");
    const token = /\/link\/([^|>]+)/.exec(String(ephemeralTo(users.ben, asked).at(-1)?.args.text))?.[1];
    assert.ok(token, "a link");
    const post = (path: string, body: unknown) => fetch(`${h.baseUrl}/api/link/${token}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const { message } = (await (await post("/message", { address: ben.address })).json()) as { message: string };
    assert.match(message, new RegExp(`Safe ${betaAddress}`));
    const linked = await post("", { message, signature: await ben.signMessage({ message }) });
    assert.equal(linked.status, 200, await linked.clone().text());
    const rebind = h.fake.callsOf("chat.postEphemeral").length;
    await command(beta.teamId, "bind beta", users.ben, "CBETA");
    assert.match(String(ephemeralTo(users.ben, rebind).at(-1)?.args.text), /now speaks for/);

    // Paying the home workspace's known payee by address: in Beta it is a first payment to an address not in the address book, and the home label is not shown.
    const posted = h.fake.callsOf("chat.postMessage").length;
    await command(beta.teamId, `pay 0.1 ETH to ${acme} for a test`, users.dana, "CBETA");
    const proposal = await h.fake.waitFor(() => (pendingOf(betaAddress).length > proposals ? pendingOf(betaAddress).at(-1) : undefined), 20_000, "the beta proposal to the home payee");
    assert.deepEqual(payeesOf(proposal.hash), [acme]);
    await h.adapter.idle();
    const card = h.fake.callsOf("chat.postMessage").slice(posted).find((call) => call.args.channel === "CBETA" && /0\.1/.test(JSON.stringify(call.args)));
    assert.ok(card, "Beta's card");
    assert.match(JSON.stringify(card.args), /not in the address book/);
    assert.doesNotMatch(JSON.stringify(card.args), /Acme Design Studio|Northside/);

    // The assistant in Beta knows no payee by the home workspace's label, and gives no figure for it.
    const questioned = h.fake.callsOf("chat.postMessage").length;
    await command(beta.teamId, "ask how much did we pay Northside Print?", users.dana, "CBETA");
    const answer = h.fake.callsOf("chat.postMessage").slice(questioned).find((call) => call.args.channel === "CBETA" && call.args.thread_ts);
    assert.ok(answer, "an answer in Beta's channel");
    assert.match(String(answer.args.text), /I know no payee called Northside Print|don't know|do not know/i);
    assert.doesNotMatch(String(answer.args.text), /\d+(\.\d+)? (ETH|USDC)/);
  });
});
