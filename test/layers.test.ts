// The arrows between spry's folders run one way, and no module imports itself back through
// others: common/ is the bottom every layer may import; toolkit/ knows only common/; threads/
// too; tasks/ may use threads/; framework/ may use all of those; server/ knows the toolkit and
// common/; client/ (spry/client, which runs in browsers) reads the framework's route types, as
// types only (test/client/bundle.test.ts proves no server code ships). Only the entry points (the package's exports and the CLI) may import anything.
// Type-only imports count: a circle of types is still a knot to untie.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";

const src = new URL("../src/", import.meta.url).pathname;

const ALLOWED: Record<string, readonly string[]> = {
  common: [],
  toolkit: ["common"],
  threads: ["common"],
  tasks: ["common", "threads"],
  framework: ["common", "toolkit", "threads", "tasks"],
  server: ["common", "toolkit"],
  client: ["framework"],
};

const ENTRY_POINTS = new Set(["index.ts", "server/index.ts", "server/cli.ts", "toolkit/index.ts", "toolkit/middleware/index.ts", "toolkit/test-client.ts", "toolkit/files/index.ts", "tasks/redis/index.ts", "client/index.ts"]);

function modules(dir: string): string[] {
  return readdirSync(join(src, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return modules(path);
    return /\.(ts|mts|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.mts") ? [path] : [];
  });
}

/** Each module's relative imports (static, re-exports, dynamic), as paths under src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of modules("")) {
    const text = readFileSync(join(src, file), "utf8");
    const targets = new Set<string>();
    for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"|\bimport\(\s*"(\.[^"]+)"\s*\)/g)) {
      targets.add(relative(src, resolve(dirname(join(src, file)), match[1] ?? match[2]!)));
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** The strongly connected components with more than one module (Tarjan's algorithm). */
function circles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const layer = (file: string) => (file.includes("/") ? file.slice(0, file.indexOf("/")) : file);

test("every import resolves to a module under src/", () => {
  const graph = importGraph();
  for (const [file, targets] of graph) {
    for (const target of targets) assert.ok(graph.has(target) || target.endsWith(".mjs"), `${file} imports ${target}, which does not exist`);
  }
});

test("no import circles", () => {
  assert.deepEqual(circles(importGraph()), []);
});

test("arrows run one way: each folder imports only the folders below it", () => {
  const wrong: string[] = [];
  for (const [file, targets] of importGraph()) {
    if (ENTRY_POINTS.has(file)) continue;
    for (const target of targets) {
      const from = layer(file);
      const to = layer(target);
      if (ENTRY_POINTS.has(target)) wrong.push(`${file} -> ${target} (an entry point)`);
      else if (from !== to && !(ALLOWED[from] ?? []).includes(to)) wrong.push(`${file} -> ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});
