// docs/examples/static-files/main.ts: a site, its assets, downloads and another app, side by side.
import { fileURLToPath } from "node:url";
import { Spry } from "spry";
import { fileResponse, safePath, staticFiles } from "spry/files";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const api = new Spry({ title: "Reports API" });
api.get("/reports", () => [{ name: "report.txt" }]);

const app = new Spry();

// Assets: /static/site.css, cached for a day.
app.mount("/static", staticFiles({ directory: here("public"), maxAge: "1d" }));

// One file, offered as a download under a name of our choosing.
app.get("/download", (_, ctx) => fileResponse(ctx, here("uploads/report.txt"), { filename: "Q3 report.txt" }));

// A path parameter naming a file: safePath keeps it inside uploads/ (`../`, links out: 404).
app.get("/uploads/{file_path:path}", async ({ file_path }, ctx) => fileResponse(ctx, await safePath(here("uploads"), file_path)));

// Another app under a prefix: its own routes, 404s and docs (/api/docs).
app.mount("/api", api);

// The site at the root, last: index.html for directories, 404.html for anything missing.
app.mount("/", staticFiles({ directory: here("public"), html: true }));

export default app;
