import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Dependency } from "../dependencies/dependency.ts";
import { depends } from "../dependencies/depends.ts";
import { form } from "../inputs/param.ts";

/** What `OAuth2PasswordRequestForm` resolves to: the fields of an OAuth2 password-flow token request. */
export interface OAuth2PasswordRequestForm {
  /** "password" when sent; OAuth2 requires it, this form lets it be left out (see the strict form). */
  readonly grant_type: "password" | undefined;
  readonly username: string;
  readonly password: string;
  /** The space-separated `scope` field, split: `"items:read me"` gives `["items:read", "me"]`. */
  readonly scopes: string[];
  readonly client_id: string | undefined;
  readonly client_secret: string | undefined;
}

/** What `OAuth2PasswordRequestFormStrict` resolves to: the same, with `grant_type` required. */
export interface OAuth2PasswordRequestFormStrict extends OAuth2PasswordRequestForm {
  readonly grant_type: "password";
}

interface FieldSpec {
  readonly required?: boolean;
  readonly default?: string;
  /** A regular expression's source, checked as pydantic checks `pattern`. */
  readonly pattern?: string;
  /** JSON Schema's `format`: "password" makes Swagger UI mask the field. */
  readonly format?: string;
}

// A form field's schema, written out rather than taken from a schema library: spry's core
// depends on none (zod is an optional peer). Its issues are the ones spry's 422s translate:
// a missing field is pydantic's "missing", a mismatch "string_pattern_mismatch".
function field<Out extends string | undefined>(spec: FieldSpec): StandardSchemaV1<Out, Out> {
  const pattern = spec.pattern === undefined ? undefined : new RegExp(spec.pattern);
  const json = {
    type: "string",
    ...(spec.pattern === undefined ? {} : { pattern: spec.pattern }),
    ...(spec.format === undefined ? {} : { format: spec.format }),
    ...(spec.default === undefined ? {} : { default: spec.default }),
  };
  const standard = {
    version: 1 as const,
    vendor: "spry",
    validate(value: unknown): StandardSchemaV1.Result<Out> {
      if (value === undefined) {
        return spec.required ? { issues: [{ message: "Field required" }] } : { value: spec.default as Out };
      }
      if (typeof value !== "string") return { issues: [{ message: "Input should be a valid string", code: "invalid_type", expected: "string" } as StandardSchemaV1.Issue] };
      if (pattern !== undefined && !pattern.test(value)) {
        const issue = { message: `String should match pattern '${spec.pattern}'`, code: "invalid_format", format: "regex", pattern: spec.pattern };
        return { issues: [issue as StandardSchemaV1.Issue] };
      }
      return { value: value as Out };
    },
    jsonSchema: { input: () => ({ ...json }), output: () => ({ ...json }) },
  };
  return { "~standard": standard } as StandardSchemaV1<Out, Out>;
}

const fields = {
  username: form(field<string>({ required: true })),
  password: form(field<string>({ required: true, format: "password" })),
  scope: form(field<string>({ default: "" })),
  client_id: form(field<string | undefined>({})),
  client_secret: form(field<string | undefined>({ format: "password" })),
};

/**
 * The token request of OAuth2's password flow, read from an `application/x-www-form-urlencoded`
 * (or multipart) body as FastAPI's OAuth2PasswordRequestForm reads it: `username` and
 * `password` required, `scope` split at spaces into `scopes`, `grant_type` optional but
 * "password" if sent, `client_id` and `client_secret` optional. Bad fields are 422s like any
 * input's, `["body", "username"]`. It is what Swagger UI's Authorize dialog sends to the
 * `tokenUrl` of `OAuth2PasswordBearer`.
 *
 * @example
 * app.post("/token", { form: OAuth2PasswordRequestForm }, ({ form }) => {
 *   const user = authenticate(form.username, form.password);
 *   if (user === undefined) throw new HTTPException(400, "Incorrect username or password");
 *   return { access_token: issueToken(user, form.scopes), token_type: "bearer" };
 * });
 */
export const OAuth2PasswordRequestForm: Dependency<OAuth2PasswordRequestForm> = depends(
  { grant_type: form(field<"password" | undefined>({ pattern: "^password$" })), ...fields },
  ({ scope, ...rest }) => ({ ...rest, scopes: splitScopes(scope) }),
  { name: "OAuth2PasswordRequestForm" },
);

/**
 * The same token request, refusing one without `grant_type=password` (422), as OAuth2
 * requires and FastAPI's OAuth2PasswordRequestFormStrict does.
 *
 * @example
 * app.post("/token", { form: OAuth2PasswordRequestFormStrict }, ({ form }) => login(form.username, form.password));
 */
export const OAuth2PasswordRequestFormStrict: Dependency<OAuth2PasswordRequestFormStrict> = depends(
  { grant_type: form(field<"password">({ required: true, pattern: "^password$" })), ...fields },
  ({ scope, ...rest }) => ({ ...rest, scopes: splitScopes(scope) }),
  { name: "OAuth2PasswordRequestFormStrict" },
);

// As Python's str.split(): any run of whitespace separates, none is kept.
function splitScopes(scope: string): string[] {
  return scope.split(/\s+/).filter((s) => s !== "");
}
