// `await using` on a TestClient, in a module of its own: Node 22 cannot parse the syntax (24 and
// newer can), so lifespan.test.ts imports this only where it loads.
import { TestClient } from "spry/testing";
import type { Spry } from "spry";

export async function getThenLeave(app: Spry<any>, path: string): Promise<number> {
  await using client = await TestClient.open(app);
  return (await client.get(path)).status;
}
