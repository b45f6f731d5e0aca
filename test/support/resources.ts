// What a repeated bad input could leave behind in this process: the resources that live on by
// themselves (sockets, servers, timers, open files). Requests in flight (an fs callback such as
// FSReqCallback, a pending write or shutdown) end on their own, and the test's own logging or
// the previous case may have one outstanding at the moment of measuring, so they are not compared.
import { setTimeout as delay } from "node:timers/promises";

const IN_FLIGHT = /Req|^WriteWrap$|^ShutdownWrap$/;

/** The long-lived resources, sorted: measured after a timer has fired, so that measuring holds none. */
export async function settledResources(): Promise<string[]> {
  await delay(10);
  return process
    .getActiveResourcesInfo()
    .filter((resource) => !IN_FLIGHT.test(resource))
    .sort();
}
