import assert from "node:assert/strict";
import { loadConfig } from "../../app/config.ts";
import { ConfigError } from "../../core/errors.ts";
import { databaseLocation } from "../../core/config.ts";

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, "a ConfigError");
    assert.ok(!error.shortMessage.includes("\n"), "one line");
    return error.shortMessage;
  }
  assert.fail("the configuration was accepted");
}

describe("config", () => {
  it("has working defaults: embedded chain, ./data/treasury.db, 127.0.0.1:3000", () => {
    const config = loadConfig({});
    assert.equal(config.RPC_URL, undefined);
    assert.equal(config.DATABASE_PATH, "./data/treasury.db");
    assert.equal(config.HOST, "127.0.0.1");
    assert.equal(config.PORT, 3000);
    assert.equal(config.SAFE_THRESHOLD, 2);
  });

  it("names the variable and what is wrong with it", () => {
    assert.match(refusal({ RPC_URL: "not a url" }), /^RPC_URL \("not a url"\) is not a URL/);
    assert.match(refusal({ SAFE_ADDRESS: "0x1234" }), /^SAFE_ADDRESS \("0x1234"\) is not an address/);
    assert.match(refusal({ PORT: "70000" }), /^PORT .* is not a port/);
    assert.match(refusal({ PORT: "abc" }), /^PORT .* is not a port/);
    assert.match(refusal({ LOG_LEVEL: "loud" }), /^LOG_LEVEL .* is not a log level/);
    assert.match(refusal({ RELAYER_PRIVATE_KEY: "0xabc" }), /^RELAYER_PRIVATE_KEY is not a private key/);
    assert.match(refusal({ SAFE_OWNERS: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", SAFE_THRESHOLD: "2" }), /SAFE_THRESHOLD \(2\) is above/);
    assert.match(refusal({ BACKGROUND_NICE: "25" }), /^BACKGROUND_NICE .* is above 19/);
    assert.match(refusal({ BACKGROUND_NICE: "-5" }), /^BACKGROUND_NICE .* is not a whole number of at least 0/);
  });

  it("PGVECTOR=off reaches every process through the database location; auto (the default) leaves DATABASE_URL as it is", () => {
    const url = "postgres://treasury@db.example:5432/books?schema=ours";
    assert.equal(loadConfig({}).PGVECTOR, "auto");
    assert.equal(databaseLocation(loadConfig({ DATABASE_URL: url })), url);
    const off = new URL(databaseLocation(loadConfig({ DATABASE_URL: url, PGVECTOR: "off" })));
    assert.equal(off.searchParams.get("pgvector"), "off");
    assert.equal(off.searchParams.get("schema"), "ours");
    assert.equal(databaseLocation(loadConfig({ PGVECTOR: "off" })), "./data/treasury.db", "SQLite has no pgvector");
    assert.match(refusal({ PGVECTOR: "maybe" }), /^PGVECTOR .* is not auto or off/);
  });

  it("does not print a secret's value when it is wrong", () => {
    const message = refusal({ RELAYER_PRIVATE_KEY: "0xsecretsecret" });
    assert.ok(message.startsWith("RELAYER_PRIVATE_KEY"));
    assert.ok(!message.includes("secretsecret"));
    const delegateKey = refusal({ SAFE_TX_SERVICE_DELEGATE_KEY: "0xsecretsecret" });
    assert.ok(delegateKey.startsWith("SAFE_TX_SERVICE_DELEGATE_KEY is not a private key") && !delegateKey.includes("secretsecret"));
  });

  it("turns off a part whose optional values are missing, with one line each", () => {
    const config = loadConfig({});
    assert.equal(config.disabledParts.length, 4);
    assert.ok(config.disabledParts.some((line) => line.startsWith("The Safe Transaction Service sync is off")));
    assert.ok(!loadConfig({ SAFE_TX_SERVICE_URL: "http://127.0.0.1:8000" }).disabledParts.some((line) => line.includes("Transaction Service")));
    assert.ok(config.disabledParts.some((line) => line.startsWith("Slack is off")));
    const withSlack = loadConfig({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" });
    assert.ok(!withSlack.disabledParts.some((line) => line.startsWith("Slack is off")));
    // Installs in many workspaces turn Slack on without a bot token; a signing secret alone does not.
    const withInstalls = loadConfig({ SLACK_SIGNING_SECRET: "s", SLACK_CLIENT_ID: "1.2", SLACK_CLIENT_SECRET: "c", SLACK_STATE_SECRET: "a-state-secret-of-16+" });
    assert.ok(!withInstalls.disabledParts.some((line) => line.startsWith("Slack is off")));
    assert.ok(loadConfig({ SLACK_SIGNING_SECRET: "s" }).disabledParts.some((line) => line.startsWith("Slack is off")));
  });
});
