// The app the Node 22 request-id test serves through `spry run`: a handler that logs through
// the app's logger before and after an await.
import { setTimeout as delay } from "node:timers/promises";
import { Spry } from "spry";

const app = new Spry();

app.get("/work", async () => {
  app.config.logger.info({ step: "start" }, "working");
  await delay(5);
  app.config.logger.info({ step: "after the wait" }, "still working");
  return { pid: process.pid };
});

export default app;
