// The event loop keeps turning while a long recording converts: the work runs on the core's
// tokio runtime (conversion on its blocking pool), never on the JS thread. A 5 ms timer must
// keep ticking, with no long gap, during transcode() of 10 minutes of audio and during send().
import test, { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { send, transcode, probe } from '../index.mjs'
import { startEmulator } from '../testing.mjs'
import { synthWav } from './helpers.mjs'

let emu
before(async () => { emu = await startEmulator() })
after(async () => { await emu.stop() })

async function whileTicking(work) {
  const stamps = []
  const timer = setInterval(() => stamps.push(performance.now()), 5)
  const start = performance.now()
  try {
    const value = await work()
    return { value, elapsed: performance.now() - start, stamps: [start, ...stamps, performance.now()] }
  } finally {
    clearInterval(timer)
  }
}

function assertTicked({ elapsed, stamps }, label) {
  const gaps = stamps.slice(1).map((t, i) => t - stamps[i])
  const longest = Math.max(...gaps)
  const ticks = stamps.length - 2
  assert.ok(elapsed > 100, `${label}: the work must take long enough to prove anything (${elapsed.toFixed(0)} ms)`)
  assert.ok(ticks >= elapsed / 5 / 3, `${label}: ${ticks} ticks in ${elapsed.toFixed(0)} ms`)
  assert.ok(longest < 150, `${label}: the longest pause of the event loop was ${longest.toFixed(0)} ms`)
}

test('transcode() of a 10-minute recording leaves the event loop free', async () => {
  const wav = synthWav(600)
  const run = await whileTicking(() => transcode(wav))
  assertTicked(run, 'transcode')
  const info = await probe(run.value)
  assert.equal(info.codec, 'aac-lc')
  assert.ok(Math.abs(info.duration_ms - 600_000) < 100, `duration ${info.duration_ms}`)
})

test('send() of a 5-minute recording leaves the event loop free', async () => {
  const wav = synthWav(300)
  const run = await whileTicking(() =>
    send({ platform: 'messenger', recipient: emu.psid, audio: wav, session: { page_access_token: emu.token }, graph_url: emu.url }),
  )
  assertTicked(run, 'send')
  assert.match(run.value.id, /^m_/)
  assert.ok(Math.abs(run.value.output.duration_ms - 300_000) < 100)
})
