import assert from "node:assert/strict";
import { safeScopeOf } from "../../../assistant/safes/scope.ts";

const names = ["main", "grants", "grants-2"];

describe("several Safes: which Safes a question is about (assistant/safes/scope)", function () {
  it("reads “across all Safes” in English and Spanish, and takes those words out of the question", () => {
    const cases: [string, string][] = [
      ["How much did we pay Acme across all our Safes?", "How much did we pay Acme?"],
      ["What are our balances in all treasuries?", "What are our balances?"],
      ["total spent this year for every safe", "total spent this year"],
      ["¿Cuánto pagamos a Acme en todas las Safes?", "¿Cuánto pagamos a Acme?"],
      ["¿Cuál es el saldo en todas las tesorerías?", "¿Cuál es el saldo?"],
      ["¿Cuál es el saldo en todas nuestras tesorerías?", "¿Cuál es el saldo?"],
    ];
    for (const [question, rest] of cases) assert.deepEqual(safeScopeOf(question, names), { kind: "all", question: rest }, question);
  });

  it("reads a Safe named by its registered name, the longest name first, and leaves the rest", () => {
    assert.deepEqual(safeScopeOf("How much did we pay Acme in the grants Safe?", names), { kind: "named", name: "grants", question: "How much did we pay Acme?" });
    assert.deepEqual(safeScopeOf("What does the Grants-2 safe hold?", names), { kind: "named", name: "grants-2", question: "What does the Safe hold?" });
    assert.deepEqual(safeScopeOf("¿Cuánto pagamos a Acme en la Safe de grants?", names), { kind: "named", name: "grants", question: "¿Cuánto pagamos a Acme?" });
    assert.deepEqual(safeScopeOf("balances of the treasury called main", names), { kind: "named", name: "main", question: "balances" });
  });

  it("names back a Safe name no Safe has (never read as another Safe)", () => {
    assert.deepEqual(safeScopeOf("How much is in the savings Safe?", names), { kind: "unknown", name: "savings", question: "How much is?" });
    assert.deepEqual(safeScopeOf("¿Cuánto hay en la Safe de ahorros?", names), { kind: "unknown", name: "ahorros", question: "¿Cuánto hay?" });
    assert.equal(safeScopeOf("What is in the grant Safe?", names).kind, "unknown", "a near name is not the Safe “grants”");
  });

  it("leaves questions that name no Safe as they are", () => {
    for (const question of ["How much WBTC does the Safe hold?", "What is in the Safe?", "What is in our safe this month?", "who signed in the Gnosis Safe app", "¿Cuál es nuestro saldo?", "How much did we pay Acme?"])
      assert.deepEqual(safeScopeOf(question, names), { kind: "default", question }, question);
  });
});
