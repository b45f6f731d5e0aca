// OpenAPI generation for an app with 1,000 routes (issue target: under 200 ms).
// Run: node --import tsx bench/framework/openapi-1000.ts
import { z } from "zod";
import { Spry } from "../../src/index.ts";

const Item = z.object({ name: z.string(), price: z.number(), tags: z.array(z.string()).default([]) }).meta({ id: "Item" });

function build(): Spry {
  const app = new Spry({ logger: false });
  for (let i = 0; i < 500; i++) {
    app.get(`/r${i}/items/{item_id}`, { item_id: z.int(), q: z.string().optional(), limit: z.int().default(10) }, ({ item_id }) => ({ name: String(item_id), price: 1 }), { response: Item });
    app.post(`/r${i}/items/`, { item: Item }, ({ item }) => item, { status: 201, response: Item });
  }
  return app;
}

const runs: number[] = [];
for (let round = 0; round < 7; round++) {
  const app = build();
  const start = performance.now();
  const json = app.openapiJson();
  runs.push(performance.now() - start);
  if (round === 0) console.log(`document: ${Object.keys(JSON.parse(json).paths).length} paths, ${(json.length / 1024).toFixed(0)} KiB`);
}
runs.sort((a, b) => a - b);
console.log(`1,000 routes: first build ${runs[0]!.toFixed(1)}..${runs.at(-1)!.toFixed(1)} ms, median ${runs[3]!.toFixed(1)} ms (7 fresh apps)`);
