// Fastify 5 serving the seed's /fast_task/ over HTTPS (and HTTP/2 with HTTP/1.1 by ALPN when
// HTTP2=1), with the certificate in TLS_KEY/TLS_CERT: the comparison for bench/server.mjs.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const PORT = Number(process.env.PORT ?? 8000);
const HOST = process.env.HOST ?? '127.0.0.1';
const https = { key: readFileSync(process.env.TLS_KEY), cert: readFileSync(process.env.TLS_CERT), allowHTTP1: true };
const app = Fastify({ logger: false, https, http2: process.env.HTTP2 === '1' });
app.get('/fast_task/', {
  schema: { response: { 200: { type: 'object', properties: { message: { type: 'string' } } } } },
}, async () => ({ message: 'This is fast!' }));
await app.listen({ port: PORT, host: HOST });
console.log(`fastify listening on https://${HOST}:${PORT}`);
