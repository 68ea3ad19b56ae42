// transcode() and probe() on every fixture of tests/fixtures (fixtures.tsv says what each is)
// and on the real recordings in ../shared/audio-samples.
import test from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { transcode, prepare, probe, SvaraError, UnsupportedAudioError, AudioTooLargeError, AudioFetchFailedError } from '../index.mjs'
import { SAMPLES, fixture, fixtureTable } from './helpers.mjs'

const rows = fixtureTable()

test('fixtures.tsv lists valid and broken inputs', () => {
  assert.ok(rows.filter((r) => r.expect === 'valid').length >= 10)
  assert.ok(rows.filter((r) => r.expect === 'broken').length >= 4)
})

for (const row of rows.filter((r) => r.expect === 'valid')) {
  test(`valid: ${row.file} (${row.note})`, async () => {
    const bytes = readFileSync(fixture(row.file))
    const info = await probe(bytes)
    assert.equal(info.container, row.container)
    assert.equal(info.codec, row.codec)
    assert.equal(info.channels, Number(row.channels))
    assert.equal(info.size_bytes, bytes.length)
    const m4a = await transcode(fixture(row.file))
    assert.ok(Buffer.isBuffer(m4a))
    assert.equal(m4a.subarray(4, 8).toString('latin1'), 'ftyp', 'an MP4 file')
    const out = await probe(m4a)
    assert.equal(out.container, 'mp4')
    assert.equal(out.codec, 'aac-lc')
    assert.equal(out.channels, 1)
    if (!row.file.startsWith('truncated')) {
      assert.ok(Math.abs(out.duration_ms - info.duration_ms) <= 60, `duration ${out.duration_ms} vs ${info.duration_ms}`)
    }
    if (row.container === 'mp4' && row.codec === 'aac-lc') {
      assert.ok(m4a.equals(bytes), 'M4A/AAC passes through byte for byte')
    }
  })
}

for (const row of rows.filter((r) => r.expect === 'broken')) {
  test(`broken: ${row.file} (${row.note}) is refused as unsupported_audio`, async () => {
    await assert.rejects(transcode(fixture(row.file)), (e) => e instanceof UnsupportedAudioError && e.code === 'unsupported_audio')
    await assert.rejects(probe(readFileSync(fixture(row.file))), (e) => e instanceof UnsupportedAudioError)
  })
}

test('prepare() reports the conversion; options change it', async () => {
  const stereo = fixture('speech-stereo.mp3')
  const p = await prepare(stereo)
  assert.equal(p.converted, true)
  assert.equal(p.mime, 'audio/mp4')
  assert.match(p.file_name, /\.m4a$/)
  assert.equal(p.input.channels, 2)
  assert.equal(p.output.channels, 1)
  const kept = await prepare(stereo, { keep_stereo: true })
  assert.equal(kept.output.channels, 2)
  const low = await transcode(stereo, { bitrate: 24000 })
  assert.ok(low.length < p.data.length, `24 kb/s ${low.length} B < 64 kb/s ${p.data.length} B`)
  await assert.rejects(transcode(stereo, { max_duration_ms: 100 }), (e) => e instanceof AudioTooLargeError)
  await assert.rejects(transcode(stereo, { max_duration: 0.1 }), (e) => e instanceof AudioTooLargeError)
  // At 32 kb/s FDK's afterburner pays, so fast_encode turns it off; at the default 64 kb/s it is off
  // anyway and fast_encode changes nothing (README, Performance).
  const fast = await transcode(stereo, { bitrate: 32000, fast_encode: true })
  assert.ok(!fast.equals(await transcode(stereo, { bitrate: 32000 })), 'fast_encode changes the encoding')
  assert.equal((await probe(fast)).codec, 'aac-lc')
})

test('paths: missing file, a directory, a file: URL', async () => {
  await assert.rejects(probe('/nonexistent/a.mp3'), (e) => e instanceof AudioFetchFailedError && /nonexistent/.test(e.message))
  await assert.rejects(transcode(path.dirname(fixture('speech.flac'))), (e) => e instanceof AudioFetchFailedError && /not a file/.test(e.message))
  const info = await probe(new URL(`file://${fixture('speech.flac')}`))
  assert.equal(info.codec, 'flac')
})

test('over 25 MB is refused before decoding', async () => {
  await assert.rejects(transcode(Buffer.alloc(26_214_401)), (e) => e instanceof AudioTooLargeError)
})

test('the shared real recordings are beside the repository', () => {
  // The suite must not pass quietly without them: CI clones with ../shared beside the checkout.
  assert.ok(existsSync(path.join(SAMPLES, 'samples.tsv')), `${SAMPLES}/samples.tsv is missing`)
})

test('the shared real recordings convert, or fail with a typed error', async () => {
  const files = readdirSync(SAMPLES).filter((f) => !/\.(md|tsv)$/.test(f))
  assert.ok(files.length >= 10)
  let converted = 0
  for (const f of files) {
    const p = path.join(SAMPLES, f)
    try {
      const m4a = await transcode(p)
      const out = await probe(m4a)
      assert.equal(out.codec, 'aac-lc', f)
      converted++
    } catch (e) {
      assert.ok(e instanceof SvaraError, `${f}: ${e && e.stack}`)
      assert.ok(['unsupported_audio', 'audio_too_large'].includes(e.code), `${f}: ${e.code}`)
      if (/amr|3gp/.test(f)) assert.match(e.message, /AMR/i, f)
    }
  }
  assert.ok(converted >= files.length - 4, `${converted} of ${files.length} converted`)
})
