// docs/examples/task-queue/tasks.ts: tasks declared at the top of a module, so a worker finds them.
import { z } from "zod";
import { task } from "spry";

export const sendReceipt = task(
  import.meta.url,
  {
    args: z.object({ orderId: z.string(), email: z.email() }),
    retries: 5, // six attempts in all
    backoff: { type: "exponential", delay: 1000 }, // 1 s, 2 s, 4 s, ...
  },
  async function sendReceipt({ orderId, email }, { signal, attempt, logger }) {
    // Runs at least once: after a crash it runs again, with attempt > 1. Make it idempotent.
    logger.info({ orderId, email, attempt }, "sending receipt");
    await fetch("https://mail.example/send", { method: "POST", body: JSON.stringify({ orderId, email }), signal });
  },
);

export const renderInvoice = task(
  import.meta.url,
  { args: z.object({ orderId: z.string() }), blocking: true, delay: 60_000 }, // in the thread pool, a minute later
  function renderInvoice({ orderId }) {
    return `invoice ${orderId}`; // CPU-bound work: a PDF, an image, a hash
  },
);
