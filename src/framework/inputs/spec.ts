import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Coerce } from "./coerce.ts";
import type { JsonSchema } from "./json-schema.ts";
import type { ParamModel } from "./param-model.ts";
import type { BodyKind, Location, ParamOptions } from "./param.ts";

/** One declared input, resolved at registration: where it is read, under which name, how it is converted. */
export interface InputSpec {
  /** Whose input it is: 0 for the route, 1.. for its dependencies in the graph's order. */
  readonly owner: number;
  /** The handler's (or dependency's) name for it. */
  readonly name: string;
  readonly location: Location;
  /** The name on the wire: the query key, the lower-case header name, the cookie or body field name. */
  readonly key: string;
  /** Where errors about it point: `["query", "q"]`, `["body"]`, `["body", "item"]`. */
  readonly loc: readonly (string | number)[];
  /** What validates it: the declared schema, with a JSON body's conversion in front. */
  readonly schema: StandardSchemaV1;
  /** The schema as declared (a response model that is this very schema can trust what it accepted). */
  readonly declared?: StandardSchemaV1 | undefined;
  readonly jsonSchema: JsonSchema | undefined;
  /** Whether every value of a repeated query key or header is collected into a list. */
  readonly list: boolean;
  /** Converts one string to the declared type (each item's type, for lists). */
  readonly coerce: Coerce;
  readonly options: ParamOptions;
  /** For body inputs: how the value is carried. */
  readonly kind: BodyKind | undefined;
  /** A query, header or cookie model (`query(z.object({...}))`): its fields are the parameters. */
  readonly model?: ParamModel | undefined;
}

/** How a route's body is read: which inputs it holds, and whether they are embedded by name. */
export interface BodyPlan {
  readonly kind: "json" | "form";
  readonly specs: readonly InputSpec[];
  /** `{"name": value, ...}` rather than the value itself. */
  readonly embed: boolean;
}

export interface InputPlan {
  /** Inputs from the path, query, headers and cookies. */
  readonly params: readonly InputSpec[];
  readonly body: BodyPlan | undefined;
  /** How many owners' values the reader returns. */
  readonly owners: number;
}
