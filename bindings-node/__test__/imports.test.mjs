// ESM: named imports of every documented export, by class name, matching tests/error_codes.json.
import test from 'node:test'
import assert from 'node:assert/strict'
import {
  send, Client, transcode, probe, SvaraError, InvalidTokenError, RecipientNotFoundError,
  MessageNotAllowedError, AudioTooLargeError, AudioFetchFailedError, RateLimitedError,
  UnsupportedAudioError, InvalidRequestError, PermissionDeniedError, TemporaryFailureError,
  NetworkError, ApiError, DEFAULT_GRAPH_URL, MAX_AUDIO_BYTES,
} from '../index.mjs'
import { startEmulator } from '../testing.mjs'
import { ERROR_CODES } from './helpers.mjs'

test('named ESM imports', () => {
  assert.equal(typeof send, 'function')
  assert.equal(typeof Client, 'function')
  assert.equal(typeof transcode, 'function')
  assert.equal(typeof probe, 'function')
  assert.equal(typeof startEmulator, 'function')
  assert.equal(DEFAULT_GRAPH_URL, 'https://graph.facebook.com')
  assert.equal(MAX_AUDIO_BYTES, 26214400)
})

test('one class per documented code, with the exact strings', () => {
  const byCode = {
    invalid_token: InvalidTokenError,
    recipient_not_found: RecipientNotFoundError,
    message_not_allowed: MessageNotAllowedError,
    audio_too_large: AudioTooLargeError,
    audio_fetch_failed: AudioFetchFailedError,
    rate_limited: RateLimitedError,
    unsupported_audio: UnsupportedAudioError,
    invalid_request: InvalidRequestError,
    permission_denied: PermissionDeniedError,
    temporary_failure: TemporaryFailureError,
    network_error: NetworkError,
    api_error: ApiError,
  }
  assert.deepEqual(Object.keys(byCode).sort(), Object.keys(ERROR_CODES).sort())
  for (const [code, cls] of Object.entries(byCode)) {
    assert.equal(cls.code, code)
    assert.ok(new cls('m') instanceof SvaraError)
    assert.equal(new cls('m').code, code)
  }
})
