// Type-level tests of the request, the response and middleware, checked by `tsc --noEmit` as
// the first step of `npm test`. Nothing here runs.
import { BackgroundTasks, Spry, SpryResponse, type Context, type Middleware, type RequestState, type ResponseLike } from "spry";
import { ToolkitApp, type SpryRequest } from "spry/toolkit";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_?: T): void {}

const app = new Spry();

// A handler's ctx destructures; tasks are the app's BackgroundTasks.
app.get("/parts", (_, { signal, tasks, fetch, defer, setHeader, state, query, headers, url }) => {
  expectType<Equal<typeof signal, AbortSignal>>();
  expectType<Equal<typeof tasks, BackgroundTasks>>();
  expectType<Equal<ReturnType<typeof fetch>, Promise<Response>>>();
  expectType<Equal<typeof defer, (task: () => unknown) => void>>();
  expectType<Equal<typeof setHeader, (name: string, value: string | string[]) => void>>();
  expectType<Equal<typeof state, RequestState>>();
  // What middleware adds is unknown until read as something.
  expectType<Equal<typeof state.user, unknown>>();
  expectType<Equal<typeof headers, Headers>>();
  expectType<Equal<typeof url, URL>>();
  return query;
});

// What the server established about the request: its id, the client, scheme and host, the root path.
app.get("/facts", (_, { requestId, client, scheme, authority, rootPath }) => {
  expectType<Equal<typeof requestId, string | undefined>>();
  expectType<Equal<typeof client, { readonly address: string; readonly port: number } | undefined>>();
  expectType<Equal<typeof scheme, "http" | "https">>();
  expectType<Equal<typeof authority, string | undefined>>();
  expectType<Equal<typeof rootPath, string>>();
  return { requestId };
});

// The request is read-only where it is the client's.
declare const ctx: Context;
// @ts-expect-error the request id is the server's
ctx.requestId = "mine";
// @ts-expect-error the method is the client's
ctx.method = "POST";
// @ts-expect-error so is the path
ctx.path = "/other";

// Middleware returns a response; next() gives a SpryResponse to read or change.
const timing: Middleware = async (_request, next) => {
  const response = await next();
  expectType<Equal<typeof response, SpryResponse>>();
  response.headers["server-timing"] = "app;dur=1";
  return response;
};
app.use(timing);
// @ts-expect-error middleware that returns nothing does not compile
app.use(async (_request, next) => void (await next()));

// The toolkit alone: an endpoint takes a SpryRequest and returns a response.
new ToolkitApp().route("GET", "/", (request) => {
  expectType<Equal<typeof request, SpryRequest<any>>>();
  const answer: ResponseLike = new Response("ok");
  return answer;
});

// Links to named routes: a path from the app, an absolute URL from the request; the values a
// path parameter takes are written as text, an object is not one.
app.get("/links", (_, ctx) => {
  expectType<Equal<ReturnType<typeof ctx.urlFor>, URL>>();
  expectType<Equal<ReturnType<typeof ctx.app.urlPathFor>, string>>();
  ctx.urlFor("readItem", { item_id: 1, slug: "a", big: 2n, flag: true });
  // @ts-expect-error an object is not a path parameter's value
  ctx.urlFor("readItem", { item_id: { id: 1 } });
  return "ok";
});
expectType<Equal<ReturnType<typeof app.urlPathFor>, string>>();
