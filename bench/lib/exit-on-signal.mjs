// Preloaded (--import) into a profiled server that has no signal handlers of its own (Fastify,
// raw node:http): SIGTERM then exits normally, so that --cpu-prof writes its profile.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => process.exit(0));
}
