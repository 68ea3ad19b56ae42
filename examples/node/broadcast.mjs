// One voice note to many people: the audio is converted and uploaded once, then sent by
// attachment id to each recipient. A failure for one person does not stop the others.
//
//   META_PAGE_TOKEN=EAAB... node broadcast.mjs voice.ogg 6128493027184956 6128493027184957
//
// SVARA_GRAPH_URL points it at the emulator. Exits 1 if any recipient failed.
import { Client } from "svara";

const [audio = "voice.ogg", ...recipients] = process.argv.slice(2);
if (recipients.length === 0) {
  console.error("usage: node broadcast.mjs AUDIO_FILE_OR_URL PSID [PSID ...]");
  process.exit(2);
}

const client = new Client({ page_access_token: process.env.META_PAGE_TOKEN });
const source = /^https?:\/\//.test(audio) ? { audio_url: audio } : { audio_path: audio };
try {
  const outcomes = await client.sendMany(recipients, source);
  const byCode = {};
  for (const o of outcomes) {
    if (o.ok) {
      console.log(`${o.recipient}: sent ${o.result.id}`);
      byCode.sent = (byCode.sent ?? 0) + 1;
    } else {
      console.log(`${o.recipient}: ${o.error.code}: ${o.error.message}`);
      byCode[o.error.code] = (byCode[o.error.code] ?? 0) + 1;
    }
  }
  console.log(`summary: ${Object.entries(byCode).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  process.exitCode = outcomes.every((o) => o.ok) ? 0 : 1;
} finally {
  await client.close();
}
