// docs/examples/uploads.ts: a login form and file uploads, read as FastAPI reads them.
import { createHash } from "node:crypto";
import { z } from "zod";
import { Spry, file, files, form } from "spry";

const app = new Spry();

// A form model: each property is read from the form field of its name, converted by its type.
const Login = z.object({
  username: z.string(),
  password: z.string(),
  remember: z.boolean().default(false), // an unchecked checkbox sends nothing: false
});

app.post("/login", { credentials: form(Login) }, ({ credentials }) => ({
  username: credentials.username,
  remember: credentials.remember,
}));

// A field and a file from one multipart body. Files past 1 MiB are spooled to a temporary
// file, removed after the response; the body limit (1 MiB by default) is raised for this route.
app.post("/documents", {
  title: form(z.string().max(100)),
  document: file({ maxSize: 8 * 1024 * 1024, contentTypes: ["application/pdf", "text/*"] }),
}, async ({ title, document }) => {
  const hash = createHash("sha256");
  for await (const chunk of document.stream()) hash.update(chunk as Buffer);
  return { title, filename: document.filename, contentType: document.contentType, size: document.size, sha256: hash.digest("hex") };
}, { bodyLimit: 10 * 1024 * 1024 });

// Every file of a repeated field (<input type="file" multiple>).
app.post("/photos", { photos: files({ contentTypes: ["image/*"] }) }, ({ photos }) =>
  photos.map((photo) => ({ filename: photo.filename, size: photo.size })));

export default app;
