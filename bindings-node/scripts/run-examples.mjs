// Runs examples/node against the Graph API emulator, using the `svara` package installed in the
// current directory (scripts/lib/test-node.sh copies this file into a fresh project that
// installed the packed tarball). Exits non-zero, saying why, when any example fails.
//
//   node run-examples.mjs EXAMPLES_DIR AUDIO_FILE
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { startEmulator } from "svara/testing";

const [examples, audioFile] = process.argv.slice(2);
if (!examples || !audioFile) {
  console.error("usage: node run-examples.mjs EXAMPLES_DIR AUDIO_FILE");
  process.exit(2);
}
const fail = (msg) => {
  console.error(`run-examples: FAILED: ${msg}`);
  process.exitCode = 1;
};

// The package must come from node_modules, not from a source checkout.
const require = createRequire(path.join(process.cwd(), "index.js"));
const resolved = require.resolve("svara");
if (!resolved.includes(`${path.sep}node_modules${path.sep}svara${path.sep}`)) fail(`svara resolved to ${resolved}`);
const cjs = require("svara");
if (typeof cjs.send !== "function" || cjs.RateLimitedError.code !== "rate_limited") fail("require('svara') is incomplete");
console.log(`svara from ${path.dirname(resolved)} (core ${cjs.CORE_VERSION})`);

const audio = readFileSync(audioFile);
const files = http.createServer((req, res) => {
  res.writeHead(200, { "content-type": "audio/webm", "content-length": audio.length });
  res.end(audio);
});
await new Promise((r) => files.listen(0, "127.0.0.1", r));
const audioUrl = `http://127.0.0.1:${files.address().port}/notes/update.webm`;
const emulator = await startEmulator();

/** Runs node with args; resolves to { status, stdout } (the local file server keeps serving meanwhile). */
function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (c) => { stdout += c; process.stdout.write(c); });
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.on("error", reject);
    child.on("close", (status) => { clearTimeout(timer); resolve({ status, stdout }); });
  });
}

try {
  const env = { ...emulator.env(), AUDIO_URL: audioUrl, RECIPIENT_PSID: emulator.psid };
  const one = await run([path.join(examples, "send_voice_note.mjs")], env);
  const m = /^Voice note sent: (m_\S+)$/m.exec(one.stdout);
  if (one.status !== 0 || !m) fail(`send_voice_note.mjs exited ${one.status} without "Voice note sent: m_..."`);
  else if (!emulator.messages(emulator.psid).some((d) => d.message_id === m[1])) fail(`the emulator has no message ${m[1]}`);
  else console.log(`ok: send_voice_note.mjs delivered ${m[1]} (${emulator.messages(emulator.psid)[0].audio.codec})`);

  emulator.reset();
  const psids = [emulator.psid, emulator.defaults.psidSecond, emulator.defaults.psidBlocked];
  const many = await run([path.join(examples, "broadcast.mjs"), audioFile, ...psids], emulator.env());
  if (many.status !== 1 || !/summary: sent=2 message_not_allowed=1/.test(many.stdout)) {
    fail(`broadcast.mjs exited ${many.status}; expected 2 sent and 1 message_not_allowed (exit 1)`);
  } else if (emulator.snapshot().upload_attempts !== 1 || emulator.messages().length !== 2) {
    fail("broadcast.mjs did not upload once and deliver twice");
  } else console.log("ok: broadcast.mjs (2 sent, 1 refused, 1 upload)");

  const t = await run(["--test", path.join(examples, "test_with_emulator.mjs")], {});
  if (t.status !== 0) fail("test_with_emulator.mjs failed");
  else console.log("ok: test_with_emulator.mjs");
} finally {
  await emulator.stop();
  files.closeAllConnections?.();
  files.close();
}
