// A body's length goes from a number (its byte count) to text (the Content-Length header that
// toolkit/response.ts's finalize() writes, for every writer) and back to a number
// (toolkit/node-writer.ts hands node:http the number it frames the body by): two conversions a
// response, each a builtin call (about 90 instructions, callgrind). A route answers with the
// same length again and again, so the last length and its text are kept, and each conversion
// of it is a comparison.
let lastLength = 0;
let lastText = "0";

/** `length` (a byte count) as decimal text: String(length). */
export function lengthText(length: number): string {
  if (length !== lastLength) {
    lastText = String(length);
    lastLength = length;
  }
  return lastText;
}

/** The number a Content-Length's text `text` names, as Number(text) reads it. */
export function textLength(text: string): number {
  return text === lastText ? lastLength : Number(text);
}
