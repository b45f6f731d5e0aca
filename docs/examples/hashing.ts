// docs/examples/hashing.ts: blocking work, declared once, run in the worker thread pool.
import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { HTTPException, threaded, transfer, type InferInputs } from "spry";

// scrypt is deliberately slow CPU work: on the event loop it would stall every other request.
export const hashPassword = threaded(import.meta.url, function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `${salt.toString("hex")}:${scryptSync(password, salt, 32).toString("hex")}`;
});

export const verifyPassword = threaded(import.meta.url, function verifyPassword(password: string, stored: string): boolean {
  const [salt, hash] = stored.split(":");
  return timingSafeEqual(scryptSync(password, Buffer.from(salt!, "hex"), 32), Buffer.from(hash!, "hex"));
});

// Shaped as a handler: a route declared with it runs it in the pool with its validated inputs.
export const checksumInputs = { text: z.string().max(1000), rounds: z.int().min(1).max(10_000).default(1000) };
export const checksum = threaded(import.meta.url, function checksum({ text, rounds }: InferInputs<"/checksum/{text}", typeof checksumInputs>) {
  let digest = text;
  for (let i = 0; i < rounds; i++) digest = scryptSync(digest, "checksum", 16, { N: 16 }).toString("hex");
  if (digest.startsWith("0000")) throw new HTTPException(409, "Unlucky digest"); // answered as raised
  return { text, digest };
});

// Buffers are moved, not copied, both ways: transfer() the argument and the result.
export const invert = threaded(import.meta.url, function invert(pixels: Uint8Array): Uint8Array<ArrayBuffer> {
  const inverted = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) inverted[i] = 255 - pixels[i]!;
  return transfer(inverted);
});
