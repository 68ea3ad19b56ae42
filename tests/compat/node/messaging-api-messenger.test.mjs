// A bot written from messaging-api-messenger's README (pinned in package.json), pointed at
// `svara emulator` with the client's `origin` option, runs its normal flow: mark seen, typing
// on, text, a voice note by URL (MP3) and by upload (M4A), typing off, the profile; then the
// emulator's record shows each step, in order. Errors come back the way Meta sends them.
//
// Needs SVARA_BIN (the `svara` binary); run by scripts/lib/test-emulator-compat.sh.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { createReadStream, readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import messenger from "messaging-api-messenger";

const { MessengerClient } = messenger; // a CommonJS package

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, "..", "..", "fixtures");
const TOKEN = "EAASvaraEmulatorPageToken0DefaultPage";
const PSID = "6128493027184956";
const BLOCKED = "6128493027184960";

let emulator;
let url;
let files;
let fileServer;

before(async () => {
  const bin = process.env.SVARA_BIN;
  assert.ok(bin, "set SVARA_BIN to the svara binary");
  emulator = spawn(bin, ["emulator", "--port", "0"], { stdio: ["ignore", "pipe", "ignore"] });
  const lines = createInterface({ input: emulator.stdout });
  [url] = await once(lines, "line");
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  lines.on("line", () => {}); // keep draining the banner
  const mp3 = readFileSync(path.join(fixtures, "speech-stereo.mp3"));
  fileServer = createServer((req, res) => {
    res.writeHead(200, { "content-type": "audio/mpeg", "content-length": mp3.length });
    res.end(mp3);
  });
  fileServer.listen(0, "127.0.0.1");
  await once(fileServer, "listening");
  files = `http://127.0.0.1:${fileServer.address().port}`;
});

after(() => {
  emulator?.kill("SIGTERM");
  fileServer?.close();
});

async function record() {
  const res = await fetch(`${url}/__emulator/messages`);
  return res.json();
}

test("a bot's normal flow, as the README writes it, is accepted and recorded in order", async () => {
  // The README's construction; `origin` replaces https://graph.facebook.com.
  const client = new MessengerClient({ accessToken: TOKEN, origin: url });
  assert.equal(client.version, "6.0", "the library's default (retired) Graph version");

  assert.deepEqual(await client.markSeen(PSID), { recipientId: PSID });
  assert.deepEqual(await client.typingOn(PSID), { recipientId: PSID });
  const text = await client.sendText(PSID, "Here is your voice note");
  assert.equal(text.recipientId, PSID);
  assert.match(text.messageId, /^m_/);
  const byUrl = await client.sendAudio(PSID, `${files}/speech.mp3`);
  assert.match(byUrl.messageId, /^m_/);
  const upload = await client.sendAudio(PSID, createReadStream(path.join(fixtures, "speech-aac.m4a")));
  assert.match(upload.messageId, /^m_/);
  assert.deepEqual(await client.typingOff(PSID), { recipientId: PSID });
  const profile = await client.getUserProfile(PSID);
  assert.equal(profile.id, PSID);
  assert.ok(profile.firstName && profile.lastName && profile.profilePic, JSON.stringify(profile));

  const seen = await record();
  const log = seen.recipients[PSID].messages;
  assert.deepEqual(
    log.map((m) => m.kind),
    ["sender_action", "sender_action", "text", "audio", "audio", "sender_action"],
  );
  assert.deepEqual(
    log.map((m) => m.sender_action),
    ["mark_seen", "typing_on", null, null, null, "typing_off"],
  );
  assert.equal(log[2].text, "Here is your voice note");
  assert.equal(log[2].messaging_type, "UPDATE", "the library's default messaging_type");
  assert.equal(log[2].message_id, text.messageId);
  // The MP3 by URL: delivered as audio, not a voice bubble; fetched from loopback.
  assert.equal(log[3].origin, "url");
  assert.equal(log[3].audio.codec, "mp3");
  assert.equal(log[3].voice_note, false);
  assert.equal(log[3].url_public, false);
  // The M4A upload: a voice note.
  assert.equal(log[4].origin, "upload");
  assert.equal(log[4].filename, "speech-aac.m4a");
  assert.match(log[4].content_type, /^audio\//);
  assert.equal(log[4].audio.codec, "aac-lc");
  assert.equal(log[4].voice_note, true);
  assert.equal(log[4].api_version, "v6.0");
  assert.notEqual(log[4].served_version, "v6.0", "a retired version is served by a live one");
  assert.equal(seen.recipients[PSID].attempts, 6, "one request per step, no retries");
});

test("Meta's errors reach the bot as Meta sends them", async () => {
  const client = new MessengerClient({ accessToken: TOKEN, origin: url });
  await assert.rejects(client.sendText(BLOCKED, "hello?"), (err) => {
    assert.equal(err.response.status, 400);
    const e = err.response.data.error;
    assert.equal(e.code, 551);
    assert.equal(e.errorSubcode, 1545041);
    assert.match(err.message, /Messenger API - 551 OAuthException/);
    return true;
  });
  const stranger = new MessengerClient({ accessToken: "EAAnot-a-real-token", origin: url });
  await assert.rejects(stranger.typingOn(PSID), (err) => {
    assert.equal(err.response.data.error.code, 190);
    return true;
  });
  await assert.rejects(client.sendText(PSID, "x".repeat(2001)), (err) => {
    assert.equal(err.response.data.error.code, 100);
    return true;
  });
});
