// docs/examples/task-queue/main.ts: the API and `spry worker` load this same file.
import { z } from "zod";
import { Spry } from "spry";
import { redisQueue } from "spry/queue";
import { renderInvoice, sendReceipt } from "./tasks.ts";

const app = new Spry({
  // Without this line, the same tasks.add calls run the tasks in this process after the response.
  tasks: redisQueue({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", queue: "shop" }),
});

app.post("/orders/{orderId}", { orderId: z.string(), email: z.email() }, async ({ orderId, email }, { tasks }) => {
  // Resolves once Redis has stored the task; rejects (a 500 unless you catch it) if it cannot.
  await tasks.add(sendReceipt, { orderId, email });
  await tasks.add(renderInvoice, { orderId });
  return { orderId, status: "accepted" };
});

export default app;
