// The Page token (and the app secret) never appear in an error's message, hint, stack,
// inspect() or JSON, through every failure path a call can take, nor in a Client.
import test, { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { send, Client, SvaraError } from '../index.mjs'
import { startEmulator } from '../testing.mjs'
import { closedPort, fixture, localServer } from './helpers.mjs'
import { readFileSync } from 'node:fs'

const TOKEN = 'EAASecretTokenValue' + Math.random().toString(36).slice(2, 12)
const SECRET = 'appsecret' + Math.random().toString(36).slice(2, 12)
let emu
let echo

before(async () => {
  emu = await startEmulator({
    pages: [{ id: '104857600123456', name: 'Secret Page', tokens: [TOKEN] }],
    psids: [{ id: '6128493027184956' }, { id: '6128493027184960', status: 'blocked' }],
  })
  // A hostile "Graph API" that echoes everything it received into its error message.
  echo = await localServer(async (req, res) => {
    const chunks = []
    for await (const c of req) chunks.push(c)
    res.writeHead(400, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: { code: 9999, message: `echo ${req.url} ${JSON.stringify(req.headers)} ${Buffer.concat(chunks).toString('latin1').slice(0, 4000)}`, fbtrace_id: 'x' } }))
  })
})
after(async () => {
  await emu.stop()
  await echo.close()
})

function assertClean(e, label) {
  assert.ok(e instanceof SvaraError, `${label}: ${e && e.stack}`)
  for (const [what, text] of [
    ['message', e.message],
    ['hint', e.hint],
    ['stack', e.stack],
    ['String', String(e)],
    ['inspect', inspect(e, { depth: 5, showHidden: true })],
    ['JSON', JSON.stringify(e)],
    ['graphMessage', String(e.graphMessage)],
  ]) {
    assert.ok(!text.includes(TOKEN), `${label}: the token is in the ${what}`)
    assert.ok(!text.includes(SECRET), `${label}: the app secret is in the ${what}`)
  }
}

const base = (over = {}) => ({
  platform: 'messenger',
  recipient: emu.psid,
  audio_path: fixture('speech.aac'),
  session: { page_access_token: TOKEN },
  graph_url: emu.url,
  max_retries: 0,
  ...over,
})

test('the scenario works with this token (so the failures below are real)', async () => {
  const r = await send(base())
  assert.match(r.id, /^m_/)
})

test('every failure path keeps the token and app secret out', async () => {
  const port = await closedPort()
  const cases = {
    'recipient not found': base({ recipient: '6128493027180000' }),
    blocked: base({ recipient: '6128493027184960' }),
    'wrong app secret proof': base({ app_secret: SECRET, graph_url: echo.url }),
    'echoing server': base({ graph_url: echo.url }),
    'connection refused': base({ graph_url: `http://127.0.0.1:${port}` }),
    'unsupported audio': base({ audio_path: undefined, audio: readFileSync(fixture('random.bin')) }),
    'missing file': base({ audio_path: `/nonexistent/${TOKEN}.ogg`.replace(TOKEN, 'x') }),
    'unknown key': { ...base(), audio_ulr: 'x' },
    'token given as a number-like wrong type': base({ session: { page_access_token: TOKEN, extra: TOKEN } }),
    'token in the wrong place': { ...base(), page_access_token: TOKEN },
    'session as a string': base({ session: TOKEN }),
    'bad graph_url': base({ graph_url: 'nota url' }),
    'bad messaging_type': base({ messaging_type: 'X' }),
  }
  for (const [label, options] of Object.entries(cases)) {
    const e = await send(options).then(() => assert.fail(`${label}: expected a failure`), (x) => x)
    assertClean(e, label)
  }
})

test('the echoing server really did receive the token (the redaction is what hides it)', async () => {
  const e = await send(base({ graph_url: echo.url })).catch((x) => x)
  assert.equal(e.code, 'api_error')
  assert.match(e.graphMessage, /<redacted>/)
  assert.match(e.graphMessage, /access_token/)
})

test('a Client never shows the token', async () => {
  const client = new Client({ page_access_token: TOKEN, app_secret: SECRET, graph_url: echo.url, max_retries: 0 })
  for (const text of [inspect(client, { showHidden: true, depth: 5 }), JSON.stringify(client), String(client)]) {
    assert.ok(!text.includes(TOKEN) && !text.includes(SECRET), text)
  }
  const e = await client.send({ recipient: emu.psid, audio_path: fixture('speech.aac') }).catch((x) => x)
  assertClean(e, 'client.send')
  const many = await client.sendMany([emu.psid], { attachment_id: '123' }).then((o) => o[0].error, (x) => x)
  assertClean(many, 'client.sendMany')
  await client.close()
})
