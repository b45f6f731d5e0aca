// The dispatcher's requests in flight (src/toolkit/in-flight.ts): what a Set of them gave, the
// size, membership and every member once, as requests come and go in any order.
import assert from "node:assert/strict";
import { test } from "node:test";
import { InFlight } from "../../src/toolkit/in-flight.ts";

const member = (name: string) => ({ name, inFlightSlot: -1 });

test("members come and go in any order; the size and the members are a Set's", () => {
  const inFlight = new InFlight<ReturnType<typeof member>>();
  const [a, b, c, d] = ["a", "b", "c", "d"].map(member) as [ReturnType<typeof member>, ReturnType<typeof member>, ReturnType<typeof member>, ReturnType<typeof member>];
  inFlight.add(a);
  inFlight.add(b);
  inFlight.add(c);
  assert.equal(inFlight.size, 3);
  assert.equal(inFlight.delete(b), true);
  assert.equal(inFlight.delete(b), false, "a member removed twice");
  assert.equal(inFlight.delete(d), false, "never a member");
  inFlight.add(d);
  assert.deepEqual([...inFlight].map((m) => m.name).sort(), ["a", "c", "d"]);
  assert.equal(inFlight.size, 3);
  for (const m of [a, c, d]) assert.equal(inFlight.delete(m), true);
  assert.equal(inFlight.size, 0);
  assert.deepEqual([...inFlight], []);
  assert.equal(a.inFlightSlot, -1);
});

test("a member of another InFlight is not this one's", () => {
  const one = new InFlight<ReturnType<typeof member>>();
  const other = new InFlight<ReturnType<typeof member>>();
  const a = member("a");
  const b = member("b");
  one.add(a);
  other.add(b);
  assert.equal(other.delete(a), false);
  assert.equal(one.size, 1);
  assert.deepEqual([...one], [a]);
});

test("slots are reused: a thousand requests one after another take one slot", () => {
  const inFlight = new InFlight<ReturnType<typeof member>>();
  const slots = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const m = member(String(i));
    inFlight.add(m);
    slots.add(m.inFlightSlot);
    inFlight.delete(m);
  }
  assert.deepEqual([...slots], [0]);
});
