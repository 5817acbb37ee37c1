// A stock socket.io 4.8 server speaking the `/` namespace of seed 000 (quick notes), for the
// client engine's tests. Listens on 127.0.0.1:0 and prints `PORT <n>` on stdout.
//
// - The handshake must carry `auth.token` equal to FIXTURE_TOKEN; otherwise the connection is
//   refused with an Error whose message is "UNAUTHORIZED: ..." (the hub's connect_error form).
// - On connect: `connected` (greeting), then `sync:done` (nothing to replay here).
// - `quickNote:create` is echoed as `quickNote:created` with seed 000's fields plus the
//   client's `clientId` and a durable `eventId`, to the sender only.
// - A line `drop` on stdin disconnects every socket (the server stays up, so clients
//   reconnect); the server answers `DROPPED <n>` on stdout.
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { Server } from "socket.io";

const token = process.env.FIXTURE_TOKEN ?? "fixture-token";
const httpServer = createServer();
const io = new Server(httpServer, { transports: ["websocket"] });
let nextEventId = 1;

io.use((socket, next) => {
  const auth = socket.handshake.auth ?? {};
  if (typeof auth.token !== "string" || auth.token.length === 0) {
    return next(new Error("UNAUTHORIZED: a token is required"));
  }
  if (auth.token !== token) {
    return next(new Error("UNAUTHORIZED: the token is not valid"));
  }
  next();
});

io.on("connection", (socket) => {
  const me = { id: "lead", name: "Team Lead" };
  socket.emit("connected", {
    socketId: socket.id,
    user: me,
    serverTime: new Date().toISOString(),
    protocolVersion: 1,
  });
  socket.emit("sync:done", { lastEventId: nextEventId - 1, replayed: 0, snapshot: false });

  socket.on("quickNote:create", (data) => {
    if (!data || typeof data.content !== "string" || data.content.trim() === "") {
      socket.emit("error", {
        code: "VALIDATION_FAILED",
        message: "content is required",
        event: "quickNote:create",
        clientId: data?.clientId,
      });
      return;
    }
    const eventId = nextEventId++;
    socket.emit("quickNote:created", {
      eventId,
      id: `note-${eventId}`,
      clientId: data.clientId,
      agentId: data.agentId,
      teamLeaderId: me.id,
      noteType: data.noteType,
      content: data.content,
      priority: data.priority,
      category: data.category,
      createdAt: new Date().toISOString(),
      createdBy: me,
    });
  });
});

httpServer.listen(0, "127.0.0.1", () => {
  console.log(`PORT ${httpServer.address().port}`);
});

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() === "drop") {
    const n = io.of("/").sockets.size;
    io.disconnectSockets(true);
    console.log(`DROPPED ${n}`);
  }
});
process.stdin.on("end", () => process.exit(0));
