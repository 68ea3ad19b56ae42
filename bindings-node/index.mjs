// ESM entry of svara: the same objects as the CommonJS entry (one module instance, so
// `instanceof` works across `import` and `require`).
import svara from './index.js'

export const {
  send,
  Client,
  transcode,
  prepare,
  probe,
  DEFAULT_GRAPH_URL,
  DEFAULT_API_VERSION,
  MAX_AUDIO_BYTES,
  CORE_VERSION,
  SvaraError,
  InvalidTokenError,
  RecipientNotFoundError,
  MessageNotAllowedError,
  AudioTooLargeError,
  AudioFetchFailedError,
  RateLimitedError,
  UnsupportedAudioError,
  InvalidRequestError,
  PermissionDeniedError,
  TemporaryFailureError,
  NetworkError,
  ApiError,
  ERROR_CODES,
  errorClassFor,
  verifyWebhook,
} = svara
export default svara
