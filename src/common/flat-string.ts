/**
 * `text` as one flat string. V8 keeps a join of long strings as a pair of them (a ConsString),
 * which every later join that contains it, and every write of the result (a response's head,
 * a batch of log lines), walks again, node by node: a string kept for many uses is made flat
 * once. Reading a character does not do it: a join whose first part holds the character is
 * read in place and stays a join (%DebugPrint), and the read, its value unused, is dropped by
 * the optimizing compiler anyway. JSON's round trip makes a new sequential string; it costs a
 * few hundred instructions, for strings made once per second, route or 256 requests.
 */
export function flatString(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
