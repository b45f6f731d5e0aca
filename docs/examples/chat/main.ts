// docs/examples/chat/main.ts: a chat with rooms. Open http://127.0.0.1:8000 in two tabs.
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { query, Spry, type WebSocket } from "spry";
import { fileResponse } from "spry/files";

const Message = z.object({ text: z.string().min(1).max(500) });
const rooms = new Map<string, Set<WebSocket>>();

async function broadcast(room: string, from: string, text: string): Promise<void> {
  const members = [...(rooms.get(room) ?? [])];
  // One slow member must not hold the others back: each send waits on its own.
  await Promise.allSettled(members.map((member) => member.sendJson({ from, text })));
}

const app = new Spry();

app.get("/", (_, ctx) => fileResponse(ctx, fileURLToPath(new URL("index.html", import.meta.url))));

app.websocket("/ws/{room}", { room: z.string().max(40), name: query(z.string().min(1).max(40)) }, async ({ room, name }, ws) => {
  await ws.accept();
  const members = rooms.get(room) ?? new Set();
  rooms.set(room, members.add(ws));
  try {
    await broadcast(room, "server", `${name} joined`);
    for await (const data of ws) {
      const message = Message.safeParse(typeof data === "string" ? safeJson(data) : undefined);
      if (message.success) await broadcast(room, name, message.data.text);
      else await ws.sendJson({ from: "server", text: "Send {\"text\": \"...\"}" });
    }
  } finally {
    // Runs however the socket ended: the client left, a ping went unanswered, the server stopped.
    members.delete(ws);
    if (members.size === 0) rooms.delete(room);
    await broadcast(room, "server", `${name} left`);
  }
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export default app;
