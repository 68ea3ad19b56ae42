// The documented JavaScript example (Node 18+: global fetch); against `svara serve` only the
// base URL changes (https://api.svarapi.io -> http://127.0.0.1:8080).
const response = await fetch("https://api.svarapi.io/v1/send", {
  method: "POST",
  headers: {
    "Authorization": `Bearer ${process.env.SVARA_API_KEY}`,
    "Content-Type": "application/json",
  },
  body: JSON.stringify({
    platform: "messenger",
    recipient: "6128493027184956",
    audio_url: "https://cdn.example.com/notes/update.m4a",
    session: { page_access_token: process.env.META_PAGE_TOKEN },
  }),
});
const result = await response.json();
console.log(`Voice note queued: ${result.id}`);
