// The README's JavaScript example: send one voice note and print its id.
//
//   META_PAGE_TOKEN=EAAB... node send_voice_note.mjs
//
// Point it at the local emulator instead of Meta with SVARA_GRAPH_URL (and the emulator's
// token). AUDIO_URL and RECIPIENT_PSID override the example's link and person.
import { send } from "svara"; // const { send } = require("svara") works too

const result = await send({
  platform: "messenger",
  recipient: process.env.RECIPIENT_PSID ?? "6128493027184956",
  audio_url: process.env.AUDIO_URL ?? "https://cdn.example.com/notes/update.m4a",
  session: { page_access_token: process.env.META_PAGE_TOKEN },
});
console.log(`Voice note sent: ${result.id}`);
