// docs/examples/security.ts: OAuth2 password login, bearer tokens and scopes, with hashed passwords.
import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { HTTPException, OAuth2PasswordBearer, OAuth2PasswordRequestForm, Spry, depends, security, securityScopes } from "spry";

// Passwords are kept only as salted scrypt hashes: "salt:hash", both hex.
function hashPassword(password: string, salt = randomBytes(16)): string {
  return `${salt.toString("hex")}:${scryptSync(password, salt, 32).toString("hex")}`;
}

function verifyPassword(password: string, stored: string): boolean {
  const [salt, hash] = stored.split(":") as [string, string];
  return timingSafeEqual(scryptSync(password, Buffer.from(salt, "hex"), 32), Buffer.from(hash, "hex"));
}

// Fake users, each with the scopes it may be granted.
const users = new Map([
  ["johndoe", { username: "johndoe", full_name: "John Doe", allowed: ["items:read"], password_hash: hashPassword("secret") }],
  ["alice", { username: "alice", full_name: "Alice Wonderson", allowed: [], password_hash: hashPassword("secret2") }],
]);
// Checked when the username is unknown, so that a wrong name takes as long as a wrong password.
const NO_USER = hashPassword("no user");

// Opaque tokens, kept in memory: token -> who and which scopes were granted.
const tokens = new Map<string, { username: string; scopes: string[] }>();

const oauth2 = OAuth2PasswordBearer({ tokenUrl: "token", scopes: { "items:read": "Read the items." } });

const User = z.object({ username: z.string(), full_name: z.string() }).meta({ id: "User" });
const Token = z.object({ access_token: z.string(), token_type: z.literal("bearer") }).meta({ id: "Token" });

const app = new Spry({ title: "Security example" });

/** Log in: the form's username and password for a bearer token with the requested scopes the user may have. */
app.post("/token", { form: OAuth2PasswordRequestForm }, ({ form }) => {
  const user = users.get(form.username);
  const valid = verifyPassword(form.password, user?.password_hash ?? NO_USER);
  if (user === undefined || !valid) throw new HTTPException(400, "Incorrect username or password");
  const access_token = randomBytes(24).toString("base64url");
  tokens.set(access_token, { username: user.username, scopes: form.scopes.filter((s) => user.allowed.includes(s)) });
  return { access_token, token_type: "bearer" as const };
}, { response: Token });

// The user behind the bearer token, refused unless its token has every scope required here:
// those of its own use and of each use above it, in securityScopes.
const currentUser = depends({ required: securityScopes, token: oauth2 }, ({ required, token }) => {
  const challenge = required.scopes.length === 0 ? "Bearer" : `Bearer scope="${required.scopeStr}"`;
  const session = tokens.get(token);
  const user = session && users.get(session.username);
  if (session === undefined || user === undefined) {
    throw new HTTPException(401, "Could not validate credentials", { "WWW-Authenticate": challenge });
  }
  if (!required.scopes.every((scope) => session.scopes.includes(scope))) {
    throw new HTTPException(401, "Not enough permissions", { "WWW-Authenticate": challenge });
  }
  return user;
});

/** The logged-in user: any valid token will do. */
app.get("/users/me", { user: currentUser }, ({ user }) => user, { response: User });

/** Items: the token must carry the "items:read" scope. */
app.get("/items/", { user: security(currentUser, { scopes: ["items:read"] }) }, ({ user }) => [
  { name: "Portal Gun", owner: user.username },
  { name: "Plumbus", owner: user.username },
]);

export default app;
