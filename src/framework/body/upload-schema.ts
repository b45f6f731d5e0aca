import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { UploadFile } from "./fields.ts";
import { SpooledUpload } from "./upload-file.ts";

export interface UploadRules {
  readonly required: boolean;
  /** Accepted media types, exact (`image/png`) or by family (`image/*`). */
  readonly contentTypes: readonly string[] | undefined;
}

type Issue = StandardSchemaV1.Issue & { code: string };

const BINARY = { type: "string", format: "binary" };

/**
 * The schema of a `file()` or `files()` input: the value must be an uploaded file (a text
 * field under that name fails as FastAPI's "Expected UploadFile"), of an accepted type. Its
 * JSON Schema is OpenAPI's `{type: "string", format: "binary"}`.
 */
export function uploadSchema<T>(list: boolean, rules: UploadRules): StandardSchemaV1<T, T> {
  const accepts = rules.contentTypes === undefined ? undefined : matcher(rules.contentTypes);
  const check = (value: unknown, path: number[]): Issue | undefined => {
    if (!(value instanceof SpooledUpload)) {
      const received = typeof value === "string" ? "a text field" : typeof value;
      return { code: "custom", message: `Expected UploadFile, received: ${received}`, path };
    }
    if (accepts !== undefined && !accepts(value)) {
      return { code: "custom", message: `File type ${value.contentType} is not allowed; expected ${rules.contentTypes!.join(", ")}`, path };
    }
    return undefined;
  };
  const validate = (value: unknown): StandardSchemaV1.Result<T> => {
    if (value === undefined) {
      return rules.required ? { issues: [{ message: "Field required" }] } : { value: (list ? [] : undefined) as T };
    }
    const items = list && Array.isArray(value) ? value : [value];
    const issues = items.map((item, i) => check(item, list ? [i] : [])).filter((issue) => issue !== undefined);
    return issues.length === 0 ? { value: value as T } : { issues };
  };
  const json = () => (list ? { type: "array", items: BINARY } : BINARY);
  return {
    "~standard": { version: 1, vendor: "spry", validate, jsonSchema: { input: json, output: json } } as StandardSchemaV1<T, T>["~standard"],
  };
}

function matcher(types: readonly string[]): (file: UploadFile) => boolean {
  const exact = new Set(types.filter((t) => !t.endsWith("/*")).map((t) => t.toLowerCase()));
  const families = types.filter((t) => t.endsWith("/*")).map((t) => t.slice(0, -1).toLowerCase());
  return (file) => {
    const type = file.contentType.toLowerCase();
    return exact.has(type) || families.some((family) => type.startsWith(family));
  };
}
