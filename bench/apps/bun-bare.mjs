// Bare Bun.serve routes: the seed's two routes from Bun's own router, with no framework and no
// validation beyond the integer check, each body serialized per request as a framework's is. The
// floor under spry and Elysia on Bun (http-callgrind.mjs --runtime bun). BARE_READ=url makes
// the fast route read `request.url` first, as spry must for its limits and query and Elysia does
// only for a route that reads its query: the price of that read.
const init = { headers: { 'content-type': 'application/json' } };
const fast = () => new Response(JSON.stringify({ message: 'This is fast!' }), init);
Bun.serve({
  port: Number(process.env.PORT ?? 8000),
  hostname: process.env.HOST ?? '127.0.0.1',
  routes: {
    '/fast_task/': process.env.BARE_READ === 'url' ? (request) => (request.url, fast()) : fast,
    '/slow_task/:item_id': (request) => {
      const itemId = Number(request.params.item_id);
      if (!Number.isInteger(itemId)) return new Response('{"detail":"item_id"}', { status: 422, ...init });
      const url = request.url;
      const q = new URLSearchParams(url.slice(url.indexOf('?') + 1)).get('q');
      return new Response(JSON.stringify({ item_id: itemId, q }), init);
    },
  },
  fetch: () => new Response('Not Found', { status: 404 }),
});
