// Code a user gets wrong, and the error they should read: each `// error:` comment gives text
// the type checker's error on the next line must contain (test/types/messages.test.ts). The
// return of a handler that misses its response model is reported at the field that is wrong,
// sync or async, with inputs or without; so is an override that misses its dependency's type.
import { z } from "zod";
import { Spry, depends, form } from "spry";

const app = new Spry();
const Token = z.object({ access_token: z.string(), token_type: z.literal("bearer"), scope: z.enum(["read", "write"]) });

// error: Types of property 'token_type' are incompatible
app.post("/no-inputs", () => ({ access_token: "x", token_type: "basic", scope: "read" }), { response: Token });
// error: Types of property 'scope' are incompatible
app.post("/no-inputs-async", async () => ({ access_token: "x", token_type: "bearer", scope: "admin" }), { response: Token });
// error: Property 'token_type' is missing
app.post("/no-inputs-missing", () => ({ access_token: "x", scope: "read" }), { response: Token });
// error: Types of property 'token_type' are incompatible
app.post("/inputs", { username: form(z.string()) }, ({ username }) => ({ access_token: username, token_type: "basic", scope: "read" }), { response: Token });
// error: Types of property 'scope' are incompatible
app.post("/inputs-async", { username: form(z.string()) }, async ({ username }) => ({ access_token: username, token_type: "bearer", scope: "all" }), { response: Token });

const currentUser = depends(async () => ({ name: "real", admin: false }));
// error: Property 'admin' is missing
app.dependencyOverrides.set(currentUser, () => ({ name: "no admin field" }));
// error: Types of property 'admin' are incompatible
app.dependencyOverrides.set(currentUser, async () => ({ name: "x", admin: "yes" }));
