// docs/examples/dependencies.ts: dependencies with inputs, sub-dependencies and teardown.
import { z } from "zod";
import { HTTPException, Spry, depends, header } from "spry";

interface Connection {
  query(sql: string): string[];
  release(): void;
}

export const events: string[] = [];
function connect(): Connection {
  events.push("connect");
  return { query: (sql) => [sql], release: () => void events.push("release") };
}

const app = new Spry();

// A dependency declares inputs exactly as a route does.
const pagination = depends({ skip: z.int().min(0).default(0), limit: z.int().max(100).default(10) }, (page) => page);

// A generator owns a resource: what it yields is the value; the code after the yield is the
// teardown, which runs after the response has been sent (scope "request", the default).
const db = depends(function* database() {
  const conn = connect();
  try {
    yield conn;
  } finally {
    conn.release();
  }
});

// Sub-dependencies: `currentUser` needs the header and the connection; the connection is
// opened once per request, however many dependencies ask for it.
const currentUser = depends({ x_token: header(z.string()), db }, ({ x_token, db }) => {
  if (x_token !== "secret") throw new HTTPException(401, "Invalid token", { "www-authenticate": "Bearer" });
  return { name: "ada", seen: db.query("select user").length };
});

app.get("/items/", { page: pagination, user: currentUser, db }, ({ page, user, db }) => ({
  user: user.name,
  rows: db.query(`select * from items limit ${page.limit} offset ${page.skip}`),
}));

export default app;
export { currentUser };
