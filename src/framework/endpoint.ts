import type { Context } from "../toolkit/context.ts";
import type { Endpoint } from "../toolkit/route-table.ts";
import type { PathTemplate } from "../toolkit/path-template.ts";
import { compileReader } from "./inputs/read.ts";
import { planInputs, type Inputs } from "./inputs/plan.ts";
import type { RouteOptions } from "./route-options.ts";
import { compileResponder } from "./respond.ts";

/** A handler as stored, its inputs erased; the router's methods keep the precise types. */
export type AnyHandler = (inputs: any, ctx: Context) => unknown;

const NO_INPUTS: Record<string, unknown> = Object.freeze({});

/**
 * Builds a route's pipeline once, at registration: input reading is compiled from the declared
 * inputs (a route that declares none skips it entirely), and sending from the response models.
 * Per request what remains is read, call, send, with no await unless an input, the handler or
 * a schema is asynchronous.
 */
export function compileEndpoint(template: PathTemplate, inputs: Inputs, handler: AnyHandler, options: RouteOptions): Endpoint {
  const respond = compileResponder(options);
  const call = (ctx: Context, args: Record<string, unknown>): void | Promise<void> => {
    const result = handler(args, ctx);
    return isPromise(result) ? result.then((value) => respond(ctx, value)) : respond(ctx, result);
  };

  const read = compileReader(planInputs(template, inputs));
  if (read === undefined) return (ctx) => call(ctx, NO_INPUTS);
  return (ctx) => {
    const args = read(ctx);
    return isPromise(args) ? args.then((values) => call(ctx, values)) : call(ctx, args);
  };
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as Promise<unknown> | null)?.then === "function";
}
