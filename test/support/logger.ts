import type { Logger } from "spry";

export interface Entry {
  level: "info" | "warn" | "error" | "debug";
  fields: Record<string, unknown>;
  message: string | undefined;
}

/** A Logger that keeps what it is given, for assertions on what spry logged. */
export function recordingLogger(): Logger & { entries: Entry[] } {
  const entries: Entry[] = [];
  const at = (level: Entry["level"]) => (fields: object, message?: string) => {
    entries.push({ level, fields: fields as Record<string, unknown>, message });
  };
  return { entries, info: at("info"), warn: at("warn"), error: at("error"), debug: at("debug") };
}
