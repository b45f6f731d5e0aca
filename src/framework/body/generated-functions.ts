/**
 * The JavaScript source of the small functions generated for one route's model
 * (json-unchanged.ts, json-echo.ts), each `function fN(<params>)`, compiled together once.
 */
export class GeneratedFunctions {
  readonly #params: string;
  readonly #functions: string[] = [];
  #names = 0;

  constructor(params: string) {
    this.#params = params;
  }

  /** A new function's name, for one defined later: a reference that may lead back to itself. */
  name(): string {
    return `f${this.#names++}`;
  }

  define(name: string, body: string): void {
    this.#functions.push(`function ${name}(${this.#params}) {\n${body}\n}`);
  }

  /** Defines a function with `body`, and returns its name. */
  add(body: string): string {
    const name = this.name();
    this.define(name, body);
    return name;
  }

  /**
   * The function named `entry`, with `constants` in scope as `k`; undefined where the host
   * forbids code generation (a Content-Security-Policy, `--disallow-code-generation-from-strings`).
   */
  compile<T>(entry: string, constants: readonly unknown[] = []): T | undefined {
    try {
      return new Function("k", `"use strict";\n${this.#functions.join("\n")}\nreturn ${entry};`)(constants) as T;
    } catch {
      return undefined;
    }
  }
}
