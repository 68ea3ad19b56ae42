// Shared helpers of the node --test suites: repository paths, the emulator, and a local HTTP
// server for URL sources and hand-made Graph answers. Everything listens on 127.0.0.1 only.
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'

const here = path.dirname(fileURLToPath(import.meta.url))
export const ROOT = path.resolve(here, '..', '..')
export const FIXTURES = path.join(ROOT, 'tests', 'fixtures')
export const SAMPLES = path.resolve(ROOT, '..', 'shared', 'audio-samples')
export const fixture = (name) => path.join(FIXTURES, name)
export const ERROR_CODES = JSON.parse(readFileSync(path.join(ROOT, 'tests', 'error_codes.json'), 'utf8'))

/** Reads tests/fixtures/fixtures.tsv as objects. */
export function fixtureTable() {
  const [head, ...rows] = readFileSync(fixture('fixtures.tsv'), 'utf8').trim().split('\n')
  const keys = head.split('\t')
  return rows.map((r) => Object.fromEntries(r.split('\t').map((v, i) => [keys[i], v])))
}

/**
 * Starts an HTTP server on 127.0.0.1:0 whose `handler(req, res)` answers; resolves to
 * `{ url, close(), hits }`.
 */
export async function localServer(handler) {
  const hits = []
  const server = http.createServer((req, res) => {
    hits.push({ method: req.method, url: req.url, headers: req.headers })
    handler(req, res)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.()
        server.close(() => resolve())
      }),
  }
}

/** A port nothing listens on (bound, then released). */
export async function closedPort() {
  const s = await localServer(() => {})
  const port = new URL(s.url).port
  await s.close()
  return port
}

/** Collects the request body. */
export function readBody(req) {
  return new Promise((resolve) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
  })
}

/** A mono 16-bit PCM WAV of `seconds` of a speech-like signal (a gliding tone with a beat). */
export function synthWav(seconds, rate = 16000) {
  const n = Math.floor(seconds * rate)
  const buf = Buffer.alloc(44 + n * 2)
  buf.write('RIFF', 0)
  buf.writeUInt32LE(36 + n * 2, 4)
  buf.write('WAVE', 8)
  buf.write('fmt ', 12)
  buf.writeUInt32LE(16, 16)
  buf.writeUInt16LE(1, 20)
  buf.writeUInt16LE(1, 22)
  buf.writeUInt32LE(rate, 24)
  buf.writeUInt32LE(rate * 2, 28)
  buf.writeUInt16LE(2, 32)
  buf.writeUInt16LE(16, 34)
  buf.write('data', 36)
  buf.writeUInt32LE(n * 2, 40)
  let phase = 0
  for (let i = 0; i < n; i++) {
    const t = i / rate
    const f = 180 + 120 * Math.sin(2 * Math.PI * 0.5 * t)
    phase += (2 * Math.PI * f) / rate
    const env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t)
    buf.writeInt16LE(Math.round(12000 * env * Math.sin(phase)), 44 + i * 2)
  }
  return buf
}
