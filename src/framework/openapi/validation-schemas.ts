import type { JsonSchema } from "../inputs/json-schema.ts";

/** FastAPI's 422 body, as the components every document that validates anything carries. */
export const validationSchemas: Record<string, JsonSchema> = {
  HTTPValidationError: {
    title: "HTTPValidationError",
    type: "object",
    properties: {
      detail: { title: "Detail", type: "array", items: { $ref: "#/components/schemas/ValidationError" } },
    },
  },
  ValidationError: {
    title: "ValidationError",
    type: "object",
    properties: {
      loc: { title: "Location", type: "array", items: { anyOf: [{ type: "string" }, { type: "integer" }] } },
      msg: { title: "Message", type: "string" },
      type: { title: "Error Type", type: "string" },
      input: { title: "Input" },
      ctx: { title: "Context", type: "object", additionalProperties: true },
    },
    required: ["loc", "msg", "type"],
  },
};

export const validationErrorResponse = {
  description: "Validation Error",
  content: { "application/json": { schema: { $ref: "#/components/schemas/HTTPValidationError" } } },
};
