// A Rust panic must not abort Node: it becomes a thrown error (sync) or a rejected promise
// (async), and the addon keeps working afterwards.
import test from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { probe } from '../index.mjs'
import { fixture } from './helpers.mjs'

const native = createRequire(import.meta.url)('../native.js')

test('the addon under test has the test hooks (napi build --features testing-hooks)', () => {
  assert.equal(typeof native.__panicForTesting, 'function', 'build the addon with `npm run build:test`')
})

test('a panic in a synchronous native call throws', () => {
  assert.throws(() => native.__panicForTesting(), /panic/i)
})

test('a panic inside a future rejects the promise', async () => {
  await assert.rejects(native.__panicInFutureForTesting(), /panic/i)
})

test('the addon keeps working after both panics', async () => {
  for (let i = 0; i < 3; i++) {
    try { native.__panicForTesting() } catch { /* expected */ }
    await native.__panicInFutureForTesting().catch(() => {})
  }
  const info = await probe(fixture('speech.flac'))
  assert.equal(info.codec, 'flac')
})
