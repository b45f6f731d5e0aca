// Where an app is mounted, for the Fetch Requests a mount hands to the app below it: the
// Request itself has no place for it (ASGI's scope["root_path"]), so it travels beside it.
const rootPaths = new WeakMap<Request, string>();

/** Marks `request` as addressed to an app mounted at `rootPath` (e.g. "/api/v2"). */
export function withRootPath(request: Request, rootPath: string): Request {
  if (rootPath !== "") rootPaths.set(request, rootPath);
  return request;
}

/** The path an app serving `request` is mounted at, "" at the top. */
export function rootPathOf(request: Request): string {
  return rootPaths.get(request) ?? "";
}
