// Type-level only: what a call of the typed client resolves to, one member per status the route
// declares (its `status` with its response model, each of its `responses` with its model, and
// 422 with FastAPI's validation error body), plus one member for every other error status, so
// that checking `status` narrows `data` and a status the route never mentions stays `unknown`.
import type { StandardSchemaV1 } from "@standard-schema/spec";

/** One entry of a 422 body, as FastAPI (pydantic 2) and spry send it. */
export interface ValidationErrorDetail {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/** The body of a 422: every input that failed validation. */
export interface HTTPValidationError {
  detail: ValidationErrorDetail[];
}

/** One answer: its status, its parsed body (`data`) and the Response itself (headers, ...). */
export interface Reply<Status extends number, Data> {
  /** Whether the status is 2xx, as `response.ok`. */
  readonly ok: `${Status}` extends `2${string}` ? true : false;
  readonly status: Status;
  /** The body: parsed JSON, text for other media types, undefined when there is none (204, HEAD). */
  readonly data: Data;
  readonly response: Response;
}

/**
 * The error statuses of the IANA registry, for the answers a route does not declare (a 500, an
 * HTTPException's 404, a 401 from a security dependency, 413, 503, 504): listed rather than
 * `number`, which would match every literal and defeat narrowing on `status`.
 */
export type ErrorStatus =
  | 300 | 301 | 302 | 303 | 304 | 305 | 307 | 308
  | 400 | 401 | 402 | 403 | 404 | 405 | 406 | 407 | 408 | 409 | 410 | 411 | 412 | 413 | 414 | 415 | 416 | 417 | 418
  | 421 | 422 | 423 | 424 | 425 | 426 | 428 | 429 | 431 | 451
  | 500 | 501 | 502 | 503 | 504 | 505 | 506 | 507 | 508 | 510 | 511;

type Output<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : unknown;

type ModelOutput<Spec> = Spec extends { readonly model: infer S } ? Output<S> : unknown;

type NoBody = 204 | 304;

type MainData<S, C, Rs> = C extends NoBody
  ? undefined
  : S extends StandardSchemaV1
    ? Output<S>
    : C extends keyof Rs
      ? ModelOutput<Rs[C]>
      : unknown;

type Others<C, Rs> = {
  [K in keyof Rs]: K extends number ? (K extends C ? never : Reply<K, K extends NoBody ? undefined : ModelOutput<Rs[K]>>) : never;
}[keyof Rs];

type Validation<Declared> = 422 extends Declared ? never : Reply<422, HTTPValidationError>;

/** Every answer of a route with response model `S`, status `C` and `responses` `Rs`. */
export type RouteResult<S, C, Rs> = C extends number
  ? | Reply<C, MainData<S, C, Rs>>
    | Others<C, Rs>
    | Validation<C | keyof Rs>
    | Reply<Exclude<ErrorStatus, C | keyof Rs | 422>, unknown>
  : never;
