// inputs/read-direct.ts against the general reader of inputs/read.ts: for routes whose inputs it
// takes, over many generated requests (values that convert and pass, values that fail either
// step, absent ones, repeated query keys, odd cookie headers), the two give the same owners'
// values with the same keys in the same order, or the same 422 errors. The routes' answers are
// test/framework/inputs.test.ts's.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { z } from "zod";
import { cookie, header } from "../../src/index.ts";
import { parsePathTemplate } from "../../src/toolkit/path-template.ts";
import { planGraphInputs } from "../../src/framework/inputs/plan.ts";
import { compileReaders, type ReadInputs, type Values } from "../../src/framework/inputs/read.ts";
import { compileDirectReader } from "../../src/framework/inputs/read-direct.ts";
import { compileAccept } from "../../src/framework/inputs/accept.ts";
import type { Context } from "../../src/framework/context.ts";
import type { Inputs } from "../../src/framework/dependencies/dependency.ts";

interface Sent {
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
}

function context(sent: Sent): Context {
  return {
    params: sent.params,
    query: sent.query,
    header: (name: string) => sent.headers[name],
    headerValues: (name: string) => (sent.headers[name] === undefined ? [] : [sent.headers[name]!]),
  } as unknown as Context;
}

// What a reader makes of a request: the values, or the errors of the 422.
function outcome(read: ReadInputs, sent: Sent): unknown {
  try {
    const values = read(context(sent), (_ctx, v: Values) => v);
    return { values: (values as Values).map((owner) => Object.entries(owner)) };
  } catch (error) {
    return { errors: (error as { errors?: unknown }).errors ?? String(error) };
  }
}

const ROUTES: { path: string; owners: Inputs[] }[] = [
  { path: "/slow_task/{item_id}", owners: [{ item_id: z.int(), q: z.string().nullable().default(null) }] },
  { path: "/items/{item_id}", owners: [{ item_id: z.int(), session: cookie(z.string()), user_agent: header(z.string()) }, { x_token: header(z.string()) }] },
  { path: "/flags/{on}", owners: [{ on: z.boolean(), n: z.number().optional(), role: z.enum(["admin", "user"]).default("user"), tag: cookie(z.string().nullable().default(null)) }] },
];

const text = fc.oneof(fc.constantFrom("42", "0", "-3", "1.0", "1_000", " 7 ", "x", "", "true", "no", "1e3", "admin", "user", "9007199254740993", "%20"), fc.string({ maxLength: 6 }));
const maybe = fc.option(text, { nil: undefined });
const sent = fc.record({
  params: fc.record({ item_id: text, on: text }),
  query: fc.record({ q: fc.oneof(maybe, fc.array(text, { minLength: 1, maxLength: 3 })), n: maybe, role: maybe }),
  headers: fc.record({ "user-agent": maybe, "x-token": maybe, cookie: fc.option(fc.constantFrom("session=abc", "tag=t; session=%20s", " session = x ;", "a=1", "session", "session=1; session=2"), { nil: undefined }) }),
});

function clean(s: { params: Record<string, string>; query: Record<string, string | string[] | undefined>; headers: Record<string, string | undefined> }): Sent {
  const drop = <T>(o: Record<string, T | undefined>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, T>;
  return { params: s.params, query: drop(s.query), headers: drop(s.headers) };
}

for (const route of ROUTES) {
  test(`the direct reader answers as the general one: ${route.path}`, () => {
    const plan = planGraphInputs(parsePathTemplate(route.path), route.owners);
    const direct = compileReaders(plan)!.read;
    const general = compileReaders(plan, undefined, { direct: false })!.read;
    // The route qualifies: the direct reader is the one compiled, not a fall back to the general.
    assert.notEqual(compileDirectReader(plan.params.map((spec) => ({ spec, accept: compileAccept(spec.schema) })), plan.owners), undefined);
    fc.assert(fc.property(sent, (s) => assert.deepEqual(outcome(direct, clean(s)), outcome(general, clean(s)))), { numRuns: 3000 });
  });
}

test("the usual request takes the direct reader's values, not a second reading", () => {
  const plan = planGraphInputs(parsePathTemplate("/slow_task/{item_id}"), [{ item_id: z.int(), q: z.string().nullable().default(null) }]);
  const direct = compileDirectReader(plan.params.map((spec) => ({ spec, accept: compileAccept(spec.schema) })), plan.owners)!;
  assert.deepEqual(direct(context({ params: { item_id: "42" }, query: { q: "test" }, headers: {} })), [{ item_id: 42, q: "test" }]);
  assert.deepEqual(direct(context({ params: { item_id: "42" }, query: {}, headers: {} })), [{ item_id: 42, q: null }]);
});

test("inputs it cannot take leave the route to the general reader", () => {
  const refused: Inputs[] = [{ id: z.int().min(1) }, { ids: z.array(z.int()) }, { id: z.string().transform((s) => s.length) }];
  for (const inputs of refused) {
    const plan = planGraphInputs(parsePathTemplate("/x"), [inputs]);
    assert.equal(compileDirectReader(plan.params.map((spec) => ({ spec, accept: compileAccept(spec.schema) })), plan.owners), undefined);
  }
});
