// Bad options reject with InvalidRequestError and a message that says how to fix the call;
// none of them crashes the process or reaches the network.
import test, { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { send, transcode, probe, Client, InvalidRequestError } from '../index.mjs'
import { startEmulator } from '../testing.mjs'
import { fixture } from './helpers.mjs'

let emu
before(async () => { emu = await startEmulator() })
after(async () => { await emu.stop() })

const ok = () => ({ platform: 'messenger', recipient: emu.psid, audio_path: fixture('speech.aac'), session: { page_access_token: emu.token }, graph_url: emu.url })

async function invalid(promiseOrFn, pattern) {
  const p = typeof promiseOrFn === 'function' ? Promise.resolve().then(promiseOrFn) : promiseOrFn
  const e = await p.then((r) => assert.fail(`expected invalid_request, got ${JSON.stringify(r)}`), (x) => x)
  assert.ok(e instanceof InvalidRequestError, `${e && e.name}: ${e && e.message}`)
  assert.equal(e.code, 'invalid_request')
  assert.match(e.message, pattern)
  return e
}

test('no audio, two audio sources', async () => {
  const { audio_path, ...noAudio } = ok()
  void audio_path
  await invalid(send(noAudio), /exactly one of audio_url .*audio_path.*audio/)
  await invalid(send({ ...ok(), audio_url: 'https://cdn.example.com/a.m4a' }), /Several audio sources given \(audio_url, audio_path\)/)
  await invalid(send({ ...ok(), audio: Buffer.from('x') }), /exactly one/)
})

test('unknown platform, missing and empty recipient', async () => {
  await invalid(send({ ...ok(), platform: 'slack' }), /platform "slack" is not supported; supported platforms: messenger, instagram, whatsapp, telegram/)
  // A known platform with another platform's fields says which ones to drop.
  await invalid(send({ ...ok(), platform: 'telegram' }), /graph_url works on messenger, instagram, whatsapp only, not on telegram/)
  const { recipient, ...noRecipient } = ok()
  void recipient
  await invalid(send(noRecipient), /recipient.*PSID/)
  await invalid(send({ ...ok(), recipient: '   ' }), /recipient is empty/)
})

test('missing token (no session and no META_PAGE_TOKEN)', async () => {
  const saved = process.env.META_PAGE_TOKEN
  delete process.env.META_PAGE_TOKEN
  try {
    const { session, ...noSession } = ok()
    void session
    await invalid(send(noSession), /page_access_token.*META_PAGE_TOKEN/)
    await invalid(send({ ...ok(), session: {} }), /page_access_token/)
    await invalid(send({ ...ok(), session: { page_access_token: '' } }), /missing/)
  } finally {
    if (saved !== undefined) process.env.META_PAGE_TOKEN = saved
  }
})

test('wrong types say what is expected', async () => {
  await invalid(send(), /send\(\) needs an options object/)
  await invalid(send('6128493027184956'), /options object.*not a string/)
  await invalid(send({ ...ok(), recipient: 6128493027184956 }), /recipient must be a string.*lose digits/)
  await invalid(send({ ...ok(), audio_path: undefined, audio: 'speech.aac' }), /audio must be .*Buffer.*not a string; pass a path as audio_path/)
  await invalid(send({ ...ok(), audio_path: 42 }), /audio_path must be a local file path.*not a number/)
  await invalid(send({ ...ok(), session: 'EAAtoken' }), /session must be an object like \{ page_access_token/)
  await invalid(send({ ...ok(), session: { page_access_token: 12345 } }), /session.page_access_token must be a string/)
  await invalid(send({ ...ok(), max_retries: -1 }), /max_retries must be a whole number/)
  await invalid(send({ ...ok(), max_retries: 99 }), /max_retries 99 is too many/)
  await invalid(send({ ...ok(), timeout_ms: 1.5 }), /timeout_ms must be a whole number/)
  await invalid(send({ ...ok(), bitrate: 1 }), /bitrate 1 is out of range/)
  await invalid(send({ ...ok(), keep_stereo: 'yes' }), /keep_stereo must be true/)
  await invalid(send({ ...ok(), messaging_type: 'PROMO' }), /RESPONSE, UPDATE or MESSAGE_TAG/)
  await invalid(send({ ...ok(), messaging_type: 'MESSAGE_TAG' }), /needs a tag.*HUMAN_AGENT/)
  await invalid(send({ ...ok(), graph_url: 'not a url' }), /graph_url .* not a valid URL/)
  await invalid(send({ ...ok(), audio_path: undefined, audio_url: 'ftp://example.com/a.mp3' }), /http/)
})

test('typos and camelCase keys get a suggestion', async () => {
  await invalid(send({ ...ok(), audio_ulr: 'x' }), /unknown option "audio_ulr"; did you mean "audio_url"\?/)
  await invalid(send({ ...ok(), audioPath: 'x' }), /did you mean "audio_path"/)
  await invalid(send({ ...ok(), page_access_token: 'EAAx' }), /page_access_token goes inside session/)
  await invalid(send({ ...ok(), session: { page_access_token: 'EAAx', pageAccessToken: 'y' } }), /session got an unknown option/)
})

test('Client, transcode and probe check their arguments too', async () => {
  await invalid(() => new Client({ page_access_token: emu.token, recipient: emu.psid }), /recipient is given per send/)
  await invalid(() => new Client({ page_access_token: emu.token, graph_url: 'mailto:x' }), /graph_url must be http or https/)
  const client = new Client({ page_access_token: emu.token, graph_url: emu.url })
  await invalid(client.send({ recipient: emu.psid, audio_path: fixture('speech.aac'), graph_url: emu.url }), /graph_url is a Client option/)
  await invalid(client.sendMany('6128493027184956', { audio_path: fixture('speech.aac') }), /array of PSID strings/)
  await invalid(client.sendMany([emu.psid, 7], { audio_path: fixture('speech.aac') }), /recipients\[1\] must be a PSID string/)
  await invalid(transcode(42), /Buffer\/Uint8Array of audio or a file path, not a number/)
  await invalid(transcode(readFileSync(fixture('speech.aac')), { bitrate: 'high' }), /bitrate must be a whole number/)
  await invalid(transcode(readFileSync(fixture('speech.aac')), { bitrat: 1 }), /did you mean "bitrate"/)
  await invalid(probe({}), /not an object/)
})

test('nothing was sent by any of the bad calls', () => {
  assert.equal(emu.deliveries().length, 0)
  assert.equal(emu.snapshot().attempts, 0)
})
