// docs/examples/optional-auth.ts: `autoError: false`, one route for guests and signed-in users alike.
import { APIKeyCookie, Spry } from "spry";

const maybeSession = APIKeyCookie({ name: "session", autoError: false });

const app = new Spry();

// session is string | undefined: undefined where the cookie is missing, instead of a 401.
app.get("/", { session: maybeSession }, ({ session }) => ({ greeting: session === undefined ? "hello, guest" : "welcome back" }));

export default app;
