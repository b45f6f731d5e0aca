// Fastify 5 as its docs recommend: JSON schemas for params, querystring and
// response, so Ajv validates/coerces input and fast-json-stringify serialises output.
import Fastify from 'fastify';

const PORT = Number(process.env.PORT ?? 8000);
const HOST = process.env.HOST ?? '127.0.0.1';
// SLOW_TASK_SECONDS=0 means no timer at all (not setTimeout(0)), as in every app here.
const SLOW_MS = Number(process.env.SLOW_TASK_SECONDS ?? 5) * 1000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const app = Fastify({ logger: false });

// Fastify answers schema failures with 400; the seed app's contract (FastAPI) is 422.
app.setErrorHandler((err, _req, reply) => {
  if (err.validation) {
    reply.code(422).send({ detail: err.validation });
    return;
  }
  reply.send(err);
});

app.get('/slow_task/:item_id', {
  schema: {
    params: {
      type: 'object',
      properties: { item_id: { type: 'integer' } },
      required: ['item_id'],
    },
    querystring: {
      type: 'object',
      properties: { q: { type: 'string' } },
    },
    response: {
      200: {
        type: 'object',
        properties: {
          item_id: { type: 'integer' },
          q: { type: ['string', 'null'] },
        },
      },
    },
  },
}, async (req) => {
  if (SLOW_MS > 0) await sleep(SLOW_MS);
  return { item_id: req.params.item_id, q: req.query.q ?? null };
});

app.get('/fast_task/', {
  schema: {
    response: {
      200: { type: 'object', properties: { message: { type: 'string' } } },
    },
  },
}, async () => ({ message: 'This is fast!' }));

await app.listen({ port: PORT, host: HOST });
console.log(`fastify listening on http://${HOST}:${PORT}`);
