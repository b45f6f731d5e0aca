/** Options of one route, the same for every HTTP method. */
export interface RouteOptions {
  /** Status of a successful response (default 200). 204 and 304 send no body. */
  status?: number;
  /** OpenAPI tags; a router's and an include's tags are added in front. */
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  deprecated?: boolean;
  /** Leave the route out of the OpenAPI document. */
  includeInSchema?: boolean;
  /** This route's largest request body in bytes, over the app's `limits.bodyLimit`. */
  bodyLimit?: number;
}
