// new Client({...}): send, upload (a reusable attachment id), sendMany (per-recipient results,
// one upload), close.
import test, { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { Client, SvaraError, RecipientNotFoundError, MessageNotAllowedError, InvalidRequestError } from '../index.mjs'
import { startEmulator } from '../testing.mjs'
import { fixture } from './helpers.mjs'

let emu
let client
before(async () => {
  emu = await startEmulator()
  client = new Client({ page_access_token: emu.token, graph_url: emu.url, max_retries: 0 })
})
after(async () => {
  await client.close()
  await emu.stop()
})

test('config is public and the token is not in it', () => {
  assert.equal(client.config.graph_url, emu.url)
  assert.equal(client.config.max_retries, 0)
  assert.equal(client.config.api_version, 'v25.0')
  assert.ok(!inspect(client).includes(emu.token))
  assert.ok(!JSON.stringify(client).includes(emu.token))
  assert.ok(!Object.values(client).some((v) => String(v).includes(emu.token)))
})

test('client.send', async () => {
  const r = await client.send({ recipient: emu.psid, audio_path: fixture('speech.opus.ogg') })
  assert.match(r.id, /^m_/)
  assert.equal(r.converted, true)
  assert.equal(r.input.codec, 'opus')
  assert.ok(emu.deliveries(emu.psid).some((m) => m.message_id === r.id))
})

test('client.upload returns a reusable attachment id that sends by id', async () => {
  const up = await client.upload({ audio_path: fixture('speech.vorbis.ogg') })
  assert.match(up.attachment_id, /\d+/)
  assert.equal(up.converted, true)
  assert.equal(up.input.codec, 'vorbis')
  assert.equal(up.output.codec, 'aac-lc')
  const r = await client.send({ recipient: emu.defaults.psidSecond, attachment_id: up.attachment_id })
  assert.equal(r.attachment_id, up.attachment_id)
  const [msg] = emu.deliveries(emu.defaults.psidSecond).filter((m) => m.message_id === r.id)
  assert.equal(msg.attachment_id, up.attachment_id)
})

test('client.sendMany: one upload, one outcome per recipient, failures as values', async () => {
  emu.reset()
  const recipients = [emu.psid, emu.defaults.psidSecond, emu.defaults.psidUnknown, emu.defaults.psidBlocked, emu.defaults.psidAppTester]
  const outcomes = await client.sendMany(recipients, { audio_path: fixture('speech-s16-16k.wav') })
  assert.deepEqual(outcomes.map((o) => o.recipient), recipients)
  assert.deepEqual(outcomes.map((o) => o.ok), [true, true, false, false, true])
  for (const o of outcomes.filter((x) => x.ok)) {
    assert.match(o.result.id, /^m_/)
    assert.equal(o.result.converted, true)
    assert.equal(o.result.input.codec, 'pcm_s16le')
  }
  assert.ok(outcomes[2].error instanceof RecipientNotFoundError)
  assert.equal(outcomes[2].error.code, 'recipient_not_found')
  assert.ok(outcomes[3].error instanceof MessageNotAllowedError)
  const snap = emu.snapshot()
  assert.equal(snap.upload_attempts, 1, 'uploaded once')
  assert.equal(snap.attachments.length, 1)
  assert.equal(emu.deliveries().length, 3)
  // The object form works too.
  const again = await client.sendMany({ recipients: [emu.psid], audio_path: fixture('speech.aac') })
  assert.equal(again.length, 1)
  assert.equal(again[0].ok, true)
})

test('client.sendMany with an audio that cannot be read rejects as a whole', async () => {
  await assert.rejects(client.sendMany([emu.psid], { audio_path: '/nonexistent.ogg' }), (e) => e instanceof SvaraError && e.code === 'audio_fetch_failed')
})

test('close(): later calls reject with InvalidRequestError, other clients keep working', async () => {
  const c = new Client({ page_access_token: emu.token, graph_url: emu.url })
  assert.equal(c.closed, false)
  await c.close()
  assert.equal(c.closed, true)
  await assert.rejects(c.send({ recipient: emu.psid, audio_path: fixture('speech.aac') }), (e) => e instanceof InvalidRequestError && /closed/.test(e.message))
  const r = await client.send({ recipient: emu.psid, audio_path: fixture('speech.aac') })
  assert.match(r.id, /^m_/)
})

test('concurrent sends on one client all arrive', async () => {
  emu.reset()
  const results = await Promise.all([0, 1, 2, 3].map(() => client.send({ recipient: emu.psid, audio_path: fixture('speech.aac') })))
  assert.equal(new Set(results.map((r) => r.id)).size, 4)
  assert.equal(emu.deliveries(emu.psid).length, 4)
})
