import type { SecurityScheme } from "../dependencies/dependency.ts";
import type { Graph } from "../dependencies/graph.ts";

/** A Security Requirement Object: scheme name to the scopes required of it. */
export type SecurityRequirement = Record<string, string[]>;

/**
 * The security schemes of one document, gathered from its operations' dependency graphs:
 * every dependency that declares a scheme (OAuth2PasswordBearer(), HTTPBasic(), ...) adds it
 * to `components.securitySchemes` and a requirement to its operation's `security`.
 */
export class SecuritySchemes {
  readonly #schemes = new Map<string, { definition: SecurityScheme["definition"]; json: string }>();

  /** An operation's `security`: one requirement per scheme in its graph, with the scopes required of it there. */
  requirements(graph: Graph): SecurityRequirement[] {
    const requirements: SecurityRequirement[] = [];
    const seen = new Set<string>();
    for (const node of graph.nodes) {
      const scheme = node.info.security;
      if (scheme === undefined) continue;
      this.#add(scheme);
      const requirement = { [scheme.name]: [...node.scopes] };
      const key = JSON.stringify(requirement);
      if (!seen.has(key)) {
        seen.add(key);
        requirements.push(requirement);
      }
    }
    return requirements;
  }

  /** `components.securitySchemes`, or undefined when no operation uses a scheme. */
  finish(): Record<string, unknown> | undefined {
    if (this.#schemes.size === 0) return undefined;
    return Object.fromEntries([...this.#schemes].map(([name, { definition }]) => [name, definition]));
  }

  // FastAPI lets the last of two schemes with one name win, which leaves the document wrong
  // for the other's routes; here it is an error that says how to fix it.
  #add(scheme: SecurityScheme): void {
    const json = JSON.stringify(scheme.definition);
    const known = this.#schemes.get(scheme.name);
    if (known === undefined) this.#schemes.set(scheme.name, { definition: scheme.definition, json });
    else if (known.json !== json) {
      throw new Error(`Two different security schemes are named "${scheme.name}" (${known.json} and ${json}): give one a schemeName`);
    }
  }
}
