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
