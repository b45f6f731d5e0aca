// The entry piscina loads in each of spry's worker threads. Plain JavaScript, because it runs
// before anything can load TypeScript. spry's run-task module (TypeScript in spry's sources,
// JavaScript in the build) and, through it, the module defining the function load with
// importFile: Node's own type stripping, or tsx where stripping cannot serve (registered in this
// thread, since a worker thread does not always share the main thread's module hooks).
import { workerData } from "node:worker_threads";
import { importFile } from "../common/import-file.mjs";

const { runTask: runTaskUrl } = workerData.spry;

let runner;

export default async function run(task) {
  runner ??= importFile(runTaskUrl);
  return (await runner).runTask(task);
}
