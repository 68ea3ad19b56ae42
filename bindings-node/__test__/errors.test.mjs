// Every documented error reaches JS as its class and code, produced for real: by the emulator
// over HTTP (Meta-shaped answers), by the audio engine, by a local file server, or by a
// hand-made Graph answer for a code the emulator never sends.
import test, { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import * as svara from '../index.mjs'
import { send, transcode, SvaraError } from '../index.mjs'
import { startEmulator } from '../testing.mjs'
import { ERROR_CODES, closedPort, fixture, localServer } from './helpers.mjs'

const seen = new Set()
let emu
let files
const audio = () => readFileSync(fixture('speech-aac.m4a'))

before(async () => {
  emu = await startEmulator()
  files = await localServer((req, res) => {
    if (req.url === '/page.html') {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<html><body>not audio</body></html>')
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('gone')
    }
  })
})
after(async () => {
  await emu.stop()
  await files.close()
  // The suite covers every code of tests/error_codes.json.
  assert.deepEqual([...seen].sort(), Object.keys(ERROR_CODES).sort())
})

const body = (over = {}) => ({
  platform: 'messenger',
  recipient: emu.psid,
  audio: audio(),
  session: { page_access_token: emu.token },
  graph_url: emu.url,
  max_retries: 0,
  ...over,
})

/** Awaits a rejection and checks class, code, the common fields; returns the error. */
async function expectError(promise, className, code) {
  const err = await promise.then(
    (r) => assert.fail(`expected ${code}, got a result ${JSON.stringify(r)}`),
    (e) => e,
  )
  assert.ok(err instanceof SvaraError, `a SvaraError, got ${err && err.stack}`)
  assert.ok(err instanceof Error)
  assert.ok(err instanceof svara[className], `${className}, got ${err.name}: ${err.message}`)
  assert.equal(err.code, code)
  assert.equal(err.name, className)
  assert.equal(err.code, svara[className].code)
  assert.ok(err.message.length > 10, 'a message')
  assert.equal(typeof err.hint, 'string', 'a hint')
  assert.match(err.stack, new RegExp(className))
  seen.add(err.code)
  return err
}

test('invalid_token: an expired Page token (Graph 190)', async () => {
  const e = await expectError(send(body({ session: { page_access_token: emu.defaults.expiredPageToken } })), 'InvalidTokenError', 'invalid_token')
  assert.equal(e.graphCode, 190)
  assert.equal(e.httpStatus, 400)
  assert.equal(typeof e.fbtraceId, 'string')
  assert.equal(e.graphType, 'OAuthException')
})

test('recipient_not_found: an unknown PSID (100/2018001)', async () => {
  const e = await expectError(send(body({ recipient: emu.defaults.psidUnknown })), 'RecipientNotFoundError', 'recipient_not_found')
  assert.equal(e.graphCode, 100)
  assert.equal(e.graphSubcode, 2018001)
})

test('message_not_allowed: outside the 24-hour window (10/2018278) and blocked (551)', async () => {
  const e = await expectError(send(body({ recipient: emu.defaults.psidOutsideWindow })), 'MessageNotAllowedError', 'message_not_allowed')
  assert.equal(e.graphCode, 10)
  assert.equal(e.graphSubcode, 2018278)
  const b = await expectError(send(body({ recipient: emu.defaults.psidBlocked })), 'MessageNotAllowedError', 'message_not_allowed')
  assert.equal(b.graphCode, 551)
})

test('permission_denied: an app that is not live (200)', async () => {
  const e = await expectError(send(body({ session: { page_access_token: emu.defaults.devModePageToken } })), 'PermissionDeniedError', 'permission_denied')
  assert.equal(e.graphCode, 200)
})

test('audio_too_large: locally over 25 MB, and Meta refusing the size (100/2018109)', async () => {
  const big = Buffer.alloc(26_214_401)
  const e = await expectError(send(body({ audio: big })), 'AudioTooLargeError', 'audio_too_large')
  assert.match(e.message, /25 MB|26,?214,?400/)
  assert.equal(e.graphCode, null)
  const small = await startEmulator({ audio: { max_bytes: 1000 } })
  try {
    const m = await expectError(send(body({ graph_url: small.url })), 'AudioTooLargeError', 'audio_too_large')
    assert.equal(m.graphCode, 100)
    assert.equal(m.graphSubcode, 2018109)
  } finally {
    await small.stop()
  }
})

test('audio_fetch_failed: a 404 URL, an HTML page, a missing path', async () => {
  const e = await expectError(send(body({ audio: undefined, audio_url: `${files.url}/missing.mp3` })), 'AudioFetchFailedError', 'audio_fetch_failed')
  assert.match(e.message, /404/)
  await expectError(send(body({ audio: undefined, audio_url: `${files.url}/page.html` })), 'AudioFetchFailedError', 'audio_fetch_failed')
  const p = await expectError(send(body({ audio: undefined, audio_path: '/nonexistent/voice.ogg' })), 'AudioFetchFailedError', 'audio_fetch_failed')
  assert.match(p.message, /nonexistent/)
})

test('unsupported_audio: random bytes, a PNG, an empty file', async () => {
  await expectError(send(body({ audio: readFileSync(fixture('random.bin')) })), 'UnsupportedAudioError', 'unsupported_audio')
  const png = await expectError(send(body({ audio: readFileSync(fixture('image.png')) })), 'UnsupportedAudioError', 'unsupported_audio')
  assert.match(png.message, /png|image/i)
  await expectError(send(body({ audio: Buffer.alloc(0) })), 'UnsupportedAudioError', 'unsupported_audio')
})

test('rate_limited: the emulator allows 1 send per second (613), no retries', async () => {
  const limited = await startEmulator({ rate_limit: { audio_sends_per_second: 1, window: '10s' } })
  try {
    const results = await Promise.allSettled([0, 1, 2].map(() => send(body({ graph_url: limited.url }))))
    const rejected = results.filter((r) => r.status === 'rejected').map((r) => r.reason)
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'one went through')
    assert.equal(rejected.length, 2)
    for (const e of rejected) {
      assert.ok(e instanceof svara.RateLimitedError, `${e.name}: ${e.message}`)
      assert.equal(e.code, 'rate_limited')
      assert.equal(e.graphCode, 613)
    }
    seen.add('rate_limited')
  } finally {
    await limited.stop()
  }
})

test('temporary_failure: Graph error 1200 from fault injection, counted retries', async () => {
  const faulty = await startEmulator({ faults: [{ kind: 'error_1200' }] })
  try {
    const e = await expectError(send(body({ graph_url: faulty.url, max_retries: 1 })), 'TemporaryFailureError', 'temporary_failure')
    assert.equal(e.graphCode, 1200)
    assert.equal(faulty.attempts(faulty.psid), 2, 'one try and one retry')
    assert.equal(faulty.deliveries().length, 0)
  } finally {
    await faulty.stop()
  }
})

test('network_error: connection refused, and a dropped connection after the body (may have been delivered)', async () => {
  const port = await closedPort()
  const e = await expectError(send(body({ graph_url: `http://127.0.0.1:${port}` })), 'NetworkError', 'network_error')
  assert.equal(e.mayHaveBeenDelivered, false)
  const dropping = await startEmulator({ faults: [{ kind: 'drop_after_body' }] })
  try {
    const d = await expectError(send(body({ graph_url: dropping.url, max_retries: 2 })), 'NetworkError', 'network_error')
    assert.equal(d.mayHaveBeenDelivered, true)
    assert.equal(dropping.attempts(dropping.psid), 1, 'not retried: it may have been delivered')
  } finally {
    await dropping.stop()
  }
})

test('api_error: a Graph error code Svara has no name for keeps its fields', async () => {
  const graph = await localServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { message: '(#9999) Something new', type: 'OAuthException', code: 9999, error_subcode: 4242, fbtrace_id: 'AxYz123' } }))
    })
  })
  try {
    const e = await expectError(send(body({ graph_url: graph.url })), 'ApiError', 'api_error')
    assert.equal(e.graphCode, 9999)
    assert.equal(e.graphSubcode, 4242)
    assert.equal(e.fbtraceId, 'AxYz123')
    assert.equal(e.httpStatus, 400)
    assert.equal(e.graphMessage, '(#9999) Something new')
  } finally {
    await graph.close()
  }
})

test('invalid_request: an unknown platform', async () => {
  const e = await expectError(send(body({ platform: 'whatsapp' })), 'InvalidRequestError', 'invalid_request')
  assert.match(e.message, /messenger/)
})

test('an error carries the core wire shape, every message a full sentence', async () => {
  const e = await send(body({ recipient: emu.defaults.psidUnknown })).catch((x) => x)
  const json = e.toJSON()
  for (const key of ['code', 'message', 'hint', 'http_status', 'graph_code', 'graph_subcode', 'graph_type', 'graph_message', 'fbtrace_id', 'is_transient', 'retry_after', 'may_have_been_delivered']) {
    assert.ok(key in json, key)
  }
  assert.equal(e.graphMessage, json.graph_message)
  const big = await transcode(Buffer.alloc(26_214_401)).catch((x) => x)
  assert.match(big.message, /it was not decoded\.$/)
})

test('errors serialize with the documented snake_case keys', async () => {
  const e = await send(body({ recipient: emu.defaults.psidUnknown })).catch((x) => x)
  const json = JSON.parse(JSON.stringify(e))
  assert.equal(json.code, 'recipient_not_found')
  assert.equal(json.graph_subcode, 2018001)
  assert.equal(json.name, 'RecipientNotFoundError')
})
