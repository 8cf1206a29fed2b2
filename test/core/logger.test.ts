import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { createLogger } from "../../core/logger.ts";

describe("logger", () => {
  it("writes JSON lines with no secret in them", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger("info", sink as never);
    logger.info({ config: { SLACK_BOT_TOKEN: "xoxb-very-secret", PORT: 3000 } }, "configured");
    logger.info({ request: { headers: { authorization: "Bearer sk-hidden" } } }, "called");
    logger.info({ relayer: { privateKey: "0xdeadbeef" } }, "relayer");
    assert.equal(lines.length, 3);
    const text = lines.join("");
    for (const secret of ["xoxb-very-secret", "sk-hidden", "0xdeadbeef"]) assert.ok(!text.includes(secret), secret);
    const first = JSON.parse(lines[0]);
    assert.equal(first.config.SLACK_BOT_TOKEN, "[redacted]");
    assert.equal(first.config.PORT, 3000);
    assert.equal(first.msg, "configured");
  });
});

describe("logger: one-time links", () => {
  it("keeps the token of review and wallet-link URLs out of every line, wherever it is", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger("debug", sink as never);
    const review = "Qx7-abc_DEF123456789ghijklmnopqrs";
    const link = "L1nk_token-0123456789abcdefABCDEF";
    logger.debug(`http request body: {"text":"Open <http://127.0.0.1:3000/link/${link}|this link>"}`);
    logger.debug({ url: `https://treasury.example.org/review/${review}` }, "card posted");
    logger.debug({ path: `/api/review/${review}/signatures`, status: 422 }, "request");
    logger.info({ body: `blocks=%5B%7B%22url%22%3A%22https%3A%2F%2Ft.example%2Freview%2F${review}%22%7D%5D` }, "form body");
    logger.warn({ nested: { deeper: [`see \\/link\\/${link}`] } }, "escaped");
    logger.error(new Error(`failed at /review/${review}`), "with an error");
    assert.equal(lines.length, 6);
    const text = lines.join("");
    assert.ok(!text.includes(review), text);
    assert.ok(!text.includes(link), text);
    assert.match(lines[1], /"url":"https:\/\/treasury\.example\.org\/review\/\[redacted\]"/);
    assert.match(lines[2], /"path":"\/api\/review\/\[redacted\]\/signatures"/);
    // Everything else in the lines is kept.
    assert.equal(JSON.parse(lines[2]).status, 422);
    for (const line of lines) JSON.parse(line);
  });
});
