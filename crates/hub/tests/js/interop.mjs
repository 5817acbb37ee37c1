// Interop check of the Sideline hub with the real socket.io-client 4.8 (what the seeds' apps
// use). Usage: node interop.mjs <hubUrl> <username> <password>
// Prints one JSON object per line ({"step": ...}); the Rust test (tests/js_interop.rs) drives
// the hub and asserts on them. Exits 0 when every step happened, 1 on a failure or timeout.
import { io } from "socket.io-client";

const [url, username, password] = process.argv.slice(2);
const say = (step, fields = {}) => console.log(JSON.stringify({ step, ...fields }));
const fail = (why) => {
  say("failed", { why: String(why) });
  process.exit(1);
};
setTimeout(() => fail("timeout"), 20000);

// A bad token is refused at connect; the message carries the code ("CODE: sentence").
await new Promise((resolve) => {
  const bad = io(`${url}/leaderboard`, { auth: { token: "not-a-token" }, transports: ["websocket"], reconnection: false });
  bad.on("connect", () => fail("a bad token was accepted"));
  bad.on("connect_error", (err) => {
    say("connect_error", { message: err.message });
    bad.close();
    resolve();
  });
});

const response = await fetch(`${url}/api/v1/auth/login`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ username, password }),
});
if (!response.ok) fail(`login: ${response.status}`);
const { token, user } = await response.json();
say("login", { userId: user.id, teamId: user.teamId });

const socket = io(`${url}/leaderboard`, { auth: { token }, transports: ["websocket"], reconnection: false });
let refused = false;
let ranked = false;
const finish = () => {
  if (refused && ranked) {
    socket.close();
    process.exit(0);
  }
};
socket.on("connect_error", (err) => fail(`connect_error: ${err.message}`));
socket.on("sync:done", (done) => {
  say("sync:done", done);
  socket.emit("join:user", user.id);
  socket.emit("join:team", user.teamId);
  // Someone else's user room: refused with an `error` event.
  socket.emit("join:user", "agent02");
});
socket.on("error", (error) => {
  if (error.code === "FORBIDDEN" && error.event === "join:user") {
    refused = true;
    say("refused", error);
    // The refusal arrives after the two allowed joins were handled (one queue per socket).
    say("ready");
    finish();
  } else {
    fail(`unexpected error ${JSON.stringify(error)}`);
  }
});
socket.on("rankings:update", (update) => {
  say("rankings:update", update);
  ranked = true;
  finish();
});
