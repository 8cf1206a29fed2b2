import assert from "node:assert/strict";
import { escapeHtml, html, jsonForScript, raw } from "../../../../adapters/web/pages/html.ts";

describe("html escaping (adapters/web/pages/html.ts)", () => {
  it("escapes every interpolated value, in text and in attributes", () => {
    const memo = `<img src=x onerror="alert(1)"> & 'quoted' \`tick\``;
    const out = html`<p title="${memo}">${memo}</p>`.value;
    assert.equal(
      out,
      `<p title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;quoted&#39; &#96;tick&#96;">&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;quoted&#39; &#96;tick&#96;</p>`,
    );
    assert.equal(escapeHtml("a<b"), "a&lt;b");
  });

  it("keeps nested html and raw markup, joins arrays, and drops null, undefined and false", () => {
    const items = ["<a>", "b"].map((item) => html`<li>${item}</li>`);
    assert.equal(html`<ul>${items}</ul>${null}${undefined}${false}${raw("<hr>")}${0}`.value, "<ul><li>&lt;a&gt;</li><li>b</li></ul><hr>0");
  });

  it("writes JSON that cannot close its script element", () => {
    const text = jsonForScript({ memo: "</script><script>alert(1)</script>", amount: 10n, line: "\u2028" }).value;
    assert.ok(!text.includes("<"));
    assert.deepEqual(JSON.parse(text), { memo: "</script><script>alert(1)</script>", amount: "10", line: "\u2028" });
  });
});
