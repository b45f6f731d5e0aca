// Fastify with @fastify/websocket (an echo) and @fastify/static (STATIC_DIR under /static/).
import Fastify from 'fastify';
import websocket from '@fastify/websocket';
import fastifyStatic from '@fastify/static';

const app = Fastify({ logger: false });
await app.register(websocket, { options: { maxPayload: 1024 * 1024 } });
app.get('/echo', { websocket: true }, (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});
if (process.env.STATIC_DIR) await app.register(fastifyStatic, { root: process.env.STATIC_DIR, prefix: '/static/' });
await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
