// docs/examples/background-tasks.ts: work that runs after the response, in this process.
import { z } from "zod";
import { Spry, depends, task } from "spry";

export const sent: string[] = [];
export const audit: string[] = [];

// A declared task: found by its module and name, its argument validated by its schema. The
// same declaration runs on a queue's workers when the app is given one.
export const sendWelcome = task(
  import.meta.url,
  { args: z.object({ email: z.email(), name: z.string() }) },
  async function sendWelcome({ email, name }, { logger }) {
    await Promise.resolve(); // a real app would call its mail service here
    sent.push(`Welcome, ${name} <${email}>`);
    logger.info({ email }, "welcome mail sent");
  },
);

const app = new Spry({ logger: false });

const User = z.object({ email: z.email(), name: z.string().min(1) });

// A dependency can add tasks too: it gets the same request context.
const audited = depends((_, { tasks, routeName }) => {
  tasks.add((route: string) => void audit.push(route), routeName);
});

app.post("/users", { user: User }, async ({ user }, { tasks }) => {
  await tasks.add(sendWelcome, { email: user.email, name: user.name });
  return { created: user.email };
}, { status: 201, dependencies: [audited] });

export default app;
