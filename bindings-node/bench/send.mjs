// Benchmark (a report, not a test): what a Node bot pays to send a 60 s MP3 voice note.
//
//   cd bindings-node && npm run build && node bench/send.mjs [--runs N]
//
// Prints, measured in the same run against the same local emulator (127.0.0.1):
//   - require("svara") time in a fresh node process (median of 5), next to bare node startup;
//   - svara send({ audio_path: mp3 }): fetch-free path read -> decode -> AAC -> upload -> send;
//   - fetch + FormData upload of a file converted beforehand (the conversion not counted);
//   - fluent-ffmpeg conversion (ffmpeg -ac 1 -c:a aac -b:a 64k) + the same fetch upload:
//     what bots do today.
// Needs ffmpeg on PATH (Debian's package) for the input and the peers.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.resolve(here, "..");
const root = path.resolve(pkg, "..");
const require = createRequire(import.meta.url);
const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 3;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
const ms = (x) => `${x.toFixed(1)} ms`;

try {
  execFileSync("ffmpeg", ["-version"], { stdio: "ignore" });
} catch {
  console.error("bench: ffmpeg is required (apt-get install ffmpeg)");
  process.exit(2);
}

// 1. require("svara") in fresh processes.
function timeInFreshNode(code) {
  const out = [];
  for (let i = 0; i < 5; i++) {
    const r = spawnSync(process.execPath, ["-e", code], { cwd: pkg, encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    out.push(Number(r.stdout.trim()));
  }
  return median(out);
}
const requireMs = timeInFreshNode('const t=process.hrtime.bigint();require("./index.js");console.log(Number(process.hrtime.bigint()-t)/1e6)');
const requireTestingMs = timeInFreshNode('const t=process.hrtime.bigint();require("./testing.js");console.log(Number(process.hrtime.bigint()-t)/1e6)');
const startup = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  spawnSync(process.execPath, ["-e", ""]);
  startup.push(performance.now() - t);
}

// 2. Inputs: 60 s of real speech (a fixture looped) as a 16 kHz mono 64 kb/s MP3 (a voice
// recording) and as a 44.1 kHz stereo 128 kb/s MP3 (a typical MP3 file), each also
// pre-converted to M4A for the fetch peer (that conversion is not counted).
const dir = mkdtempSync(path.join(tmpdir(), "svara-bench-"));
const speech = path.join(root, "tests/fixtures/speech-s16-16k.wav");
const inputs = [
  { label: "16 kHz mono 64 kb/s", args: ["-ar", "16000", "-ac", "1", "-b:a", "64k"] },
  { label: "44.1 kHz stereo 128 kb/s", args: ["-ar", "44100", "-ac", "2", "-b:a", "128k"] },
].map((input, i) => {
  const mp3 = path.join(dir, `speech-60s-${i}.mp3`);
  const pre = path.join(dir, `speech-60s-${i}.m4a`);
  execFileSync("ffmpeg", ["-v", "error", "-y", "-stream_loop", "-1", "-i", speech, "-t", "60", ...input.args, mp3]);
  execFileSync("ffmpeg", ["-v", "error", "-y", "-i", mp3, "-ac", "1", "-c:a", "aac", "-b:a", "64k", pre]);
  return { ...input, mp3, pre };
});

const { send } = require(pkg);
const { startEmulator } = require(path.join(pkg, "testing.js"));
const ffmpeg = require("fluent-ffmpeg");
const emu = await startEmulator();

async function fetchUpload(file) {
  const form = new FormData();
  form.set("recipient", JSON.stringify({ id: emu.psid }));
  form.set("messaging_type", "RESPONSE");
  form.set("message", JSON.stringify({ attachment: { type: "audio", payload: {} } }));
  form.set("access_token", emu.token);
  form.set("filedata", new Blob([readFileSync(file)], { type: "audio/mp4" }), "voice.m4a");
  const res = await fetch(`${emu.url}/v25.0/me/messages`, { method: "POST", body: form });
  const body = await res.json();
  if (!body.message_id) throw new Error(`upload refused: ${JSON.stringify(body)}`);
  return body.message_id;
}

function fluentConvert(input, output) {
  return new Promise((resolve, reject) => {
    ffmpeg(input).audioChannels(1).audioCodec("aac").audioBitrate("64k").format("mp4")
      .on("end", resolve).on("error", reject).save(output);
  });
}

const SVARA = "svara send() (MP3 -> M4A -> upload)";
const FETCH = "fetch + FormData of a pre-converted M4A";
const FLUENT = "fluent-ffmpeg convert + fetch + FormData";
const contenders = (input) => ({
  [SVARA]: async () => {
    const r = await send({ platform: "messenger", recipient: emu.psid, audio_path: input.mp3, session: { page_access_token: emu.token }, graph_url: emu.url });
    if (!r.id) throw new Error("no id");
  },
  [FETCH]: async () => {
    await fetchUpload(input.pre);
  },
  [FLUENT]: async () => {
    const out = path.join(dir, `ff-${Math.random().toString(36).slice(2)}.m4a`);
    await fluentConvert(input.mp3, out);
    await fetchUpload(out);
  },
});

const results = {};
for (const input of inputs) {
  results[input.label] = {};
  for (const [name, fn] of Object.entries(contenders(input))) {
    await fn(); // warm-up: connection pools, page cache
    const times = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await fn();
      times.push(performance.now() - t);
    }
    results[input.label][name] = median(times);
  }
}
await emu.stop();
rmSync(dir, { recursive: true, force: true });

const addon = execFileSync("sh", ["-c", `ls -l ${pkg}/*.node | awk '{print $5}'`], { encoding: "utf8" }).trim();
console.log(`svara Node benchmark — node ${process.version}, ${process.platform}/${process.arch}, addon ${(Number(addon) / 1e6).toFixed(1)} MB`);
console.log(`median of ${runs} runs after a warm-up; every upload is checked by the emulator (it decodes the M4A)`);
console.log("");
console.log(`require("svara")            ${ms(requireMs)}   (fresh process, median of 5)`);
console.log(`require("svara/testing")    ${ms(requireTestingMs)}`);
console.log(`bare node startup           ${ms(median(startup))}`);
for (const [label, r] of Object.entries(results)) {
  console.log("");
  console.log(`60 s speech MP3, ${label}:`);
  for (const [name, t] of Object.entries(r)) {
    console.log(`  ${name.padEnd(44)} ${ms(t).padStart(10)}   ${(t / r[SVARA]).toFixed(2)}x svara`);
  }
  console.log(`  -> svara is ${(r[FLUENT] / r[SVARA]).toFixed(1)}x faster than fluent-ffmpeg + fetch`);
}
writeFileSync(path.join(tmpdir(), "svara-node-bench.json"), JSON.stringify({ requireMs, requireTestingMs, results }, null, 2));
