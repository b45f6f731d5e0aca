// Fastify 5: the route of spry-inputs.ts. The dependency is a preHandler (the X-Token check),
// the path parameter and headers have JSON schemas (Ajv), the cookie comes from @fastify/cookie,
// and the response is serialized by fast-json-stringify from its schema.
import Fastify from 'fastify';
import cookie from '@fastify/cookie';

const app = Fastify({ logger: false });
await app.register(cookie);
app.setErrorHandler((err, _req, reply) => {
  if (err.validation) return reply.code(422).send({ detail: err.validation });
  return reply.send(err);
});

app.get('/items/:item_id', {
  schema: {
    params: { type: 'object', properties: { item_id: { type: 'integer' } }, required: ['item_id'] },
    headers: {
      type: 'object',
      properties: { 'x-token': { type: 'string' }, 'user-agent': { type: 'string' } },
      required: ['x-token', 'user-agent'],
    },
    response: {
      200: {
        type: 'object',
        properties: { item_id: { type: 'integer' }, session: { type: 'string' }, user_agent: { type: 'string' }, user: { type: 'string' } },
      },
    },
  },
  preHandler: async (request, reply) => {
    if (request.headers['x-token'] !== 'secret-token') return reply.code(401).send({ detail: 'Invalid token' });
    request.user = { name: 'ada' };
  },
}, async (request, reply) => {
  const session = request.cookies.session;
  if (session === undefined) return reply.code(422).send({ detail: [{ loc: ['cookie', 'session'], msg: 'Field required' }] });
  return { item_id: request.params.item_id, session, user_agent: request.headers['user-agent'], user: request.user.name };
});
app.get('/fast_task/', async () => ({ message: 'This is fast!' }));
await app.listen({ port: Number(process.env.PORT ?? 8000), host: process.env.HOST ?? '127.0.0.1' });
