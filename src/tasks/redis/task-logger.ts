import type { Logger } from "../../common/logger.ts";

/** `logger` with `fields` added to every line, so a task's own logs name the task, job and attempt. */
export function withFields(logger: Logger, fields: object): Logger {
  return {
    info: (more, message) => logger.info({ ...fields, ...more }, message),
    warn: (more, message) => logger.warn({ ...fields, ...more }, message),
    error: (more, message) => logger.error({ ...fields, ...more }, message),
    debug: (more, message) => logger.debug({ ...fields, ...more }, message),
  };
}
