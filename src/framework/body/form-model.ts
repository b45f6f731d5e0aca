import { compileCoerce, CoercionFailure, failureDetails, listItems, type Coerce } from "../inputs/coerce.ts";
import { withoutNull, type JsonSchema } from "../inputs/json-schema.ts";
import type { InputSpec } from "../inputs/spec.ts";
import { fromIssue, type ErrorDetail } from "../validation-error.ts";
import { fieldTexts, type FormFields } from "./fields.ts";

/** The properties of an object schema: a `form()` input with them is a form model. */
export function modelProperties(schema: JsonSchema | undefined): Record<string, JsonSchema> | undefined {
  if (schema === undefined) return undefined;
  const node = withoutNull(schema, schema);
  const properties = node.properties;
  return node.type === "object" && typeof properties === "object" && properties !== null ? (properties as Record<string, JsonSchema>) : undefined;
}

export interface ModelRead {
  /** The model's input: each property found among the fields, converted. */
  readonly input: Record<string, unknown>;
  /** Conversion errors; the properties that failed are left out of `input`. */
  readonly errors: ErrorDetail[] | undefined;
}

export type ReadFormModel = (fields: FormFields) => ModelRead;

interface Property {
  readonly name: string;
  readonly list: boolean;
  readonly coerce: Coerce;
}

/**
 * Compiles how a form model (`form(z.object({...}))`) is read, as FastAPI 0.113+ reads one:
 * each property from the form field of its name, converted by the property's declared type
 * like a query parameter; a list property takes every value of a repeated field. Properties
 * left out (or sent empty) are left out, so the model's defaults apply. Undefined when the
 * input is no model.
 */
export function compileFormModel(spec: InputSpec): ReadFormModel | undefined {
  const root = spec.jsonSchema;
  const properties = modelProperties(root);
  if (properties === undefined) return undefined;
  const declared: Property[] = Object.entries(properties).map(([name, node]) => {
    const items = listItems(node, root);
    return { name, list: items !== undefined, coerce: items === undefined ? compileCoerce(node, root) : compileCoerce(items ?? undefined, root) };
  });
  // A model that forbids extra fields gets them, so that it can refuse them (FastAPI's extra="forbid").
  const forbidsExtra = withoutNull(root!, root!).additionalProperties === false;
  return (fields) => {
    // No prototype: the extra fields' names come from the client.
    const input: Record<string, unknown> = Object.create(null);
    let errors: ErrorDetail[] | undefined;
    const convert = (coerce: Coerce, text: string, loc: (string | number)[]): unknown => {
      const value = coerce(text);
      if (value instanceof CoercionFailure) (errors ??= []).push(...failureDetails(value, [...spec.loc, ...loc], text));
      return value;
    };
    for (const { name, list, coerce } of declared) {
      const texts = fieldTexts(fields.get(name), list);
      if (texts === undefined) continue;
      const before = errors?.length ?? 0;
      const value = list ? texts.map((text, i) => convert(coerce, text, [name, i])) : convert(coerce, texts[texts.length - 1]!, [name]);
      if ((errors?.length ?? 0) === before) input[name] = value;
    }
    if (forbidsExtra) {
      for (const name of fields.keys()) {
        const texts = fieldTexts(fields.get(name), false);
        if (!Object.hasOwn(properties, name) && texts !== undefined) input[name] = texts[texts.length - 1];
      }
    }
    return { input, errors };
  };
}

/**
 * The model's own errors besides its conversion errors, so that every failure is reported at
 * once as pydantic does; a property that failed to convert is not reported again as missing.
 */
export async function otherErrors(spec: InputSpec, read: ModelRead): Promise<ErrorDetail[]> {
  const result = await spec.schema["~standard"].validate(read.input);
  const failed = new Set(read.errors?.map((e) => e.loc[spec.loc.length]));
  return (result.issues ?? [])
    .map((issue) => fromIssue(issue, [...spec.loc], read.input))
    .filter((error) => !failed.has(error.loc[spec.loc.length]!));
}
