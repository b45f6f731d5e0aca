// Fastify 5: the same ten-field model as JSON schemas, validated by Ajv on the way in and
// serialized by fast-json-stringify on the way out.
import Fastify from 'fastify';

const item = {
  type: 'object',
  required: ['id', 'name', 'email', 'age', 'score', 'active', 'tags', 'address', 'nickname', 'role'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    email: { type: 'string' },
    age: { type: 'integer' },
    score: { type: 'number' },
    active: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' } },
    address: {
      type: 'object',
      required: ['street', 'city', 'zip'],
      properties: { street: { type: 'string' }, city: { type: 'string' }, zip: { type: 'string' } },
    },
    nickname: { type: ['string', 'null'] },
    role: { type: 'string', enum: ['admin', 'user'] },
  },
};

const app = Fastify({ logger: false });
app.post('/items/', { schema: { body: item, response: { 200: item } } }, async (request) => request.body);
app.get('/fast_task/', async () => ({ message: 'This is fast!' }));
await app.listen({ port: Number(process.env.PORT ?? 8000), host: process.env.HOST ?? '127.0.0.1' });
