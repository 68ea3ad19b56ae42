// send() through the emulator over real HTTP: Buffer, path, file: URL and http URL sources,
// the result's fields, what the emulator received, and the environment fallbacks.
import test, { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { send, probe } from '../index.mjs'
import { startEmulator } from '../testing.mjs'
import { fixture, localServer } from './helpers.mjs'

let emu
let files
before(async () => {
  emu = await startEmulator()
  files = await localServer((req, res) => {
    if (req.url === '/notes/update.ogg') {
      res.writeHead(200, { 'content-type': 'audio/ogg' })
      res.end(readFileSync(fixture('speech.opus.ogg')))
    } else if (req.url === '/notes/voice.m4a') {
      res.writeHead(200, { 'content-type': 'audio/mp4' })
      res.end(readFileSync(fixture('speech-aac.m4a')))
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found')
    }
  })
})
after(async () => {
  await emu.stop()
  await files.close()
})

const base = () => ({ platform: 'messenger', recipient: emu.psid, session: { page_access_token: emu.token }, graph_url: emu.url })

function assertInfo(info, expect) {
  assert.equal(typeof info, 'object')
  for (const [k, v] of Object.entries(expect)) assert.equal(info[k], v, k)
  assert.ok(info.duration_ms > 1000, `duration ${info.duration_ms}`)
}

test('the documented body with an audio_url from a local server', async () => {
  const result = await send({ ...base(), audio_url: `${files.url}/notes/update.ogg` })
  assert.match(result.id, /^m_/)
  assert.equal(result.id, result.message_id)
  assert.equal(result.recipient_id, emu.psid)
  assert.equal(result.converted, true)
  assertInfo(result.input, { container: 'ogg', codec: 'opus' })
  assertInfo(result.output, { container: 'mp4', codec: 'aac-lc', channels: 1 })
  assert.ok(files.hits.some((h) => h.url === '/notes/update.ogg'), 'the SDK fetched the URL')
  const [msg] = emu.deliveries(emu.psid).filter((m) => m.message_id === result.id)
  assert.ok(msg, 'the emulator stored the note')
  assert.equal(msg.audio.codec, 'aac-lc')
  assert.equal(msg.content_type, 'audio/mp4')
  assert.match(msg.filename, /\.m4a$/)
  // The emulator's HTTP inspection endpoint agrees with deliveries().
  const snap = await (await fetch(`${emu.url}/__emulator/messages`)).json()
  assert.ok(snap.recipients[emu.psid].messages.some((m) => m.message_id === result.id))
})

test('an audio_url given as a URL object', async () => {
  const result = await send({ ...base(), audio_url: new URL('/notes/voice.m4a', files.url) })
  assert.equal(result.converted, false, 'M4A/AAC passes through')
  assert.equal(result.output.codec, 'aac-lc')
})

test('a Buffer source, and M4A/AAC passes through byte for byte', async () => {
  const bytes = readFileSync(fixture('speech-aac.m4a'))
  const result = await send({ ...base(), audio: bytes })
  assert.equal(result.converted, false)
  const [msg] = emu.deliveries().filter((m) => m.message_id === result.id)
  const delivered = emu.audio(msg.sha256)
  assert.ok(delivered, 'the emulator kept the bytes')
  assert.ok(Buffer.compare(delivered, bytes) === 0, 'uploaded bytes equal the input')
})

test('a Uint8Array and an ArrayBuffer source are converted', async () => {
  const b = readFileSync(fixture('speech.flac'))
  const u8 = new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))
  const r1 = await send({ ...base(), audio: u8 })
  assert.equal(r1.converted, true)
  assert.equal(r1.input.codec, 'flac')
  const r2 = await send({ ...base(), audio: u8.buffer })
  assert.equal(r2.input.codec, 'flac')
})

test('a path and a file: URL source', async () => {
  const r1 = await send({ ...base(), audio_path: fixture('speech.opus.webm') })
  assert.equal(r1.input.container, 'webm')
  assert.equal(r1.converted, true)
  const r2 = await send({ ...base(), audio_path: pathToFileURL(fixture('speech-stereo.mp3')) })
  assert.equal(r2.input.codec, 'mp3')
  assert.equal(r2.input.channels, 2)
  assert.equal(r2.output.channels, 1, 'voice notes are mono')
  const probed = await probe(fixture('speech-stereo.mp3'))
  assert.equal(probed.channels, 2)
})

test('options reach the wire: messaging_type, tag, notification_type, bitrate', async () => {
  const r = await send({
    ...base(),
    recipient: emu.defaults.psidOutsideWindow,
    audio_path: fixture('speech-s16-16k.wav'),
    messaging_type: 'MESSAGE_TAG',
    tag: 'HUMAN_AGENT',
    notification_type: 'SILENT_PUSH',
    bitrate: 32000,
  })
  const [msg] = emu.deliveries().filter((m) => m.message_id === r.id)
  assert.equal(msg.messaging_type, 'MESSAGE_TAG')
  assert.equal(msg.tag, 'HUMAN_AGENT')
  assert.equal(msg.notification_type, 'SILENT_PUSH')
  const r64 = await send({ ...base(), audio_path: fixture('speech-s16-16k.wav') })
  assert.ok(r.output.size_bytes < r64.output.size_bytes, `32 kb/s (${r.output.size_bytes} B) is smaller than 64 kb/s (${r64.output.size_bytes} B)`)
})

test('META_PAGE_TOKEN and SVARA_GRAPH_URL are used when the call does not say', async (t) => {
  const saved = { token: process.env.META_PAGE_TOKEN, url: process.env.SVARA_GRAPH_URL }
  t.after(() => {
    for (const [k, v] of [['META_PAGE_TOKEN', saved.token], ['SVARA_GRAPH_URL', saved.url]]) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  })
  process.env.META_PAGE_TOKEN = emu.token
  process.env.SVARA_GRAPH_URL = emu.url
  const result = await send({ platform: 'messenger', recipient: emu.psid, audio_path: fixture('speech.aac') })
  assert.match(result.id, /^m_/)
  assert.ok(emu.deliveries().some((m) => m.message_id === result.id))
  // An explicit token wins over the environment: a wrong explicit token is refused.
  await assert.rejects(
    send({ recipient: emu.psid, audio_path: fixture('speech.aac'), session: { page_access_token: 'EAAwrong-token-0000' } }),
    { code: 'invalid_token' },
  )
})

test('the emulator helper: reset() forgets and attempts() counts', async () => {
  await send({ ...base(), audio_path: fixture('speech.aac') })
  assert.ok(emu.deliveries().length > 0)
  assert.ok(emu.attempts(emu.psid) > 0)
  emu.reset()
  assert.equal(emu.deliveries().length, 0)
  assert.equal(emu.attempts(emu.psid), 0)
})

test('fast_encode and max_duration reach the engine; caption is refused on messenger', async () => {
  emu.reset()
  // At 32 kb/s FDK's afterburner pays, so fast_encode turns it off; at the default 64 kb/s it is off
  // anyway and fast_encode changes nothing (README, Performance).
  const plain = await send({ ...base(), audio_path: fixture('speech-stereo.mp3'), bitrate: 32000 })
  const fast = await send({ ...base(), audio_path: fixture('speech-stereo.mp3'), bitrate: 32000, fast_encode: true })
  const [a, b] = [plain, fast].map((r) => emu.deliveries().find((m) => m.message_id === r.id))
  assert.notEqual(a.sha256, b.sha256, 'fast_encode changed the encoding')
  assert.equal(b.audio.codec, 'aac-lc')
  await assert.rejects(send({ ...base(), audio_path: fixture('speech-stereo.mp3'), max_duration: 0.5 }), { code: 'audio_too_large' })
  await assert.rejects(send({ ...base(), audio_path: fixture('speech-stereo.mp3'), caption: 'Listen' }), (e) =>
    e.code === 'invalid_request' && /^caption works on telegram only/.test(e.message))
  assert.equal(emu.deliveries().length, 2)
})

test('the emulator helpers have the names and defaults of the Python ones', async () => {
  emu.reset()
  const r = await send({ ...base(), audio_path: fixture('speech.aac') })
  assert.equal(emu.psid, emu.defaults.psid)
  assert.equal(emu.token, emu.defaults.pageToken)
  assert.equal(emu.defaults.psids.blocked, emu.defaults.psidBlocked)
  assert.deepEqual(emu.deliveries(emu.psid).map((m) => m.message_id), [r.id])
  assert.deepEqual(emu.deliveries(emu.defaults.psidSecond), [])
  assert.equal(emu.snapshot().delivered, 1)
  assert.deepEqual(emu.messages(emu.psid), emu.deliveries(emu.psid), 'the old name still works')
  const custom = await startEmulator({ psids: [{ id: '2001' }, { id: emu.defaults.psid }] })
  try {
    assert.equal(custom.psid, emu.defaults.psid, 'the default person wins, as in Python')
  } finally {
    await custom.stop()
  }
})
