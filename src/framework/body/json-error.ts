/**
 * Where and why a JSON text is invalid, in the words of Python's json module, which FastAPI's
 * `json_invalid` errors carry. V8's messages give a position for some errors only, so the text
 * is scanned again, on this error path alone.
 */
export interface JsonSyntaxError {
  position: number;
  message: string;
}

const WS = new Set([" ", "\t", "\n", "\r"]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING_BODY = /(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*/y;

class Failure {
  readonly position: number;
  readonly message: string;
  constructor(position: number, message: string) {
    this.position = position;
    this.message = message;
  }
}

export function findJsonError(text: string): JsonSyntaxError {
  let i = 0;
  const skip = () => {
    while (i < text.length && WS.has(text[i]!)) i++;
  };
  const fail = (message: string, at = i): never => {
    throw new Failure(at, message);
  };
  const string = (): void => {
    const start = i++;
    STRING_BODY.lastIndex = i;
    STRING_BODY.exec(text);
    i = STRING_BODY.lastIndex;
    if (text[i] === '"') return void i++;
    if (i >= text.length) fail("Unterminated string starting at", start);
    if (text[i] === "\\") fail("Invalid \\escape");
    fail("Invalid control character at");
  };
  // An explicit stack, not recursion: the text may nest 100,000 deep.
  const stack: ("{" | "[")[] = [];
  const value = (): void => {
    skip();
    const c = text[i];
    if (c === '"') return string();
    if (c === "{" || c === "[") {
      stack.push(c);
      i++;
      skip();
      if (text[i] === (c === "{" ? "}" : "]")) {
        stack.pop();
        i++;
        return;
      }
      return c === "{" ? key() : value();
    }
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) return void (i += word.length);
    }
    NUMBER.lastIndex = i;
    if (NUMBER.exec(text) !== null) return void (i = NUMBER.lastIndex);
    fail("Expecting value");
  };
  const key = (): void => {
    skip();
    if (text[i] !== '"') fail("Expecting property name enclosed in double quotes");
    string();
    skip();
    if (text[i] !== ":") fail("Expecting ':' delimiter");
    i++;
    value();
  };
  try {
    value();
    for (;;) {
      skip();
      const open = stack.at(-1);
      if (open === undefined) break;
      const close = open === "{" ? "}" : "]";
      if (text[i] === close) {
        stack.pop();
        i++;
      } else if (text[i] === ",") {
        i++;
        if (open === "{") key();
        else value();
      } else {
        fail("Expecting ',' delimiter");
      }
    }
    if (i < text.length) fail("Extra data");
    return { position: text.length, message: "Expecting value" };
  } catch (error) {
    if (error instanceof Failure) return { position: error.position, message: error.message };
    throw error;
  }
}
