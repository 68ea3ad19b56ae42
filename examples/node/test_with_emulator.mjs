// How to test your own bot's voice replies with `node --test` and no Meta account.
//
//   npm install svara
//   node --test test_with_emulator.mjs
//
// `startEmulator()` from "svara/testing" runs Svara's Graph API emulator in your test process,
// over real HTTP on 127.0.0.1: it checks tokens, PSIDs, the 24-hour window, file types and rate
// limits like Meta does, and records what it received.
import test from "node:test";
import assert from "node:assert/strict";
import { send, MessageNotAllowedError, RateLimitedError } from "svara";
import { startEmulator } from "svara/testing";

/** Your bot's code: it reads META_PAGE_TOKEN / SVARA_GRAPH_URL like in production. */
async function replyWithVoice(psid, audio) {
  try {
    const result = await send({ platform: "messenger", recipient: psid, audio });
    return result.id;
  } catch (err) {
    if (err instanceof MessageNotAllowedError) return "outside-window";
    throw err;
  }
}

/** One second of a 440 Hz tone as a WAV file (Svara converts it to M4A/AAC). */
function wavTone(seconds = 1, rate = 16000) {
  const n = seconds * rate;
  const wav = Buffer.alloc(44 + n * 2);
  wav.write("RIFF", 0); wav.writeUInt32LE(36 + n * 2, 4); wav.write("WAVEfmt ", 8);
  wav.writeUInt32LE(16, 16); wav.writeUInt16LE(1, 20); wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(rate, 24); wav.writeUInt32LE(rate * 2, 28); wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34); wav.write("data", 36); wav.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) wav.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return wav;
}

test("the bot sends a voice note", async (t) => {
  const emulator = await startEmulator();
  const restoreEnv = emulator.useEnv(); // sets META_PAGE_TOKEN and SVARA_GRAPH_URL
  t.after(async () => { restoreEnv(); await emulator.stop(); });

  const id = await replyWithVoice(emulator.psid, wavTone());
  const [delivered] = emulator.deliveries(emulator.psid);
  assert.equal(delivered.message_id, id);
  assert.equal(delivered.audio.codec, "aac-lc");
  assert.ok(Math.abs(delivered.audio.duration_ms - 1000) < 100);
});

test("the bot handles a closed 24-hour window", async (t) => {
  const emulator = await startEmulator();
  const restoreEnv = emulator.useEnv();
  t.after(async () => { restoreEnv(); await emulator.stop(); });

  assert.equal(await replyWithVoice(emulator.defaults.psidOutsideWindow, wavTone()), "outside-window");
  assert.deepEqual(emulator.deliveries(), []);
});

test("rate limits surface as RateLimitedError", async (t) => {
  const emulator = await startEmulator({ rate_limit: { audio_sends_per_second: 1, window: "10s" } });
  const restoreEnv = emulator.useEnv();
  t.after(async () => { restoreEnv(); await emulator.stop(); });

  const attempts = await Promise.allSettled([1, 2].map(() =>
    send({ recipient: emulator.psid, audio: wavTone(), max_retries: 0 })));
  const failed = attempts.filter((a) => a.status === "rejected").map((a) => a.reason);
  assert.equal(failed.length, 1);
  assert.ok(failed[0] instanceof RateLimitedError);
  assert.equal(failed[0].code, "rate_limited");
});
