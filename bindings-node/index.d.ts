// Types of the `svara` package (hand-written; `native.d.ts` describes the raw addon).

/** Where the audio comes from: exactly one of these. */
export interface AudioSourceOptions {
  /** An http(s) URL of the recording; the SDK downloads it (25 MB, 30 s) and converts it. */
  audio_url?: string | URL
  /** A local file (a path or a `file:` URL). */
  audio_path?: string | URL
  /** The recording's bytes. */
  audio?: Buffer | Uint8Array | ArrayBuffer
  /** An attachment id from `client.upload()` (sent as is, no upload). */
  attachment_id?: string
}

/** How to convert audio that is not already M4A/AAC. */
export interface ConversionOptions {
  /** AAC-LC bits per second, 8000 to 320000 (default 64000). */
  bitrate?: number
  /** Keep stereo recordings stereo (default false: voice notes are mono). */
  keep_stereo?: boolean
}

export type MessagingType = 'RESPONSE' | 'UPDATE' | 'MESSAGE_TAG'
export type NotificationType = 'REGULAR' | 'SILENT_PUSH' | 'NO_PUSH'

/** Per-message options. */
export interface MessageOptions extends AudioSourceOptions, ConversionOptions {
  /** Only `"messenger"` today (the default). */
  platform?: 'messenger' | (string & {})
  /** The person's Page-Scoped ID (PSID), as a string. */
  recipient: string
  /** `RESPONSE` (default), `UPDATE`, or `MESSAGE_TAG` with a `tag`. */
  messaging_type?: MessagingType | (string & {})
  /** A message tag such as `HUMAN_AGENT` (with `MESSAGE_TAG`). */
  tag?: string
  /** `REGULAR`, `SILENT_PUSH` or `NO_PUSH`. */
  notification_type?: NotificationType | (string & {})
  /** Ask Meta for a reusable `attachment_id`. */
  reusable?: boolean
}

/** Options of a client (also accepted by `send()`). */
export interface ClientOptions {
  /** Graph base URL (default `https://graph.facebook.com`, or `SVARA_GRAPH_URL`). */
  graph_url?: string | URL
  /** Graph version (default `v25.0`). */
  api_version?: string
  /** Your Meta App secret: every call then carries `appsecret_proof`. */
  app_secret?: string
  /** Page id, to call `/{page-id}/messages` instead of `/me/messages`. */
  page_id?: string
  /** Whole-request timeout of Graph calls in milliseconds (default 60000). */
  timeout_ms?: number
  /** The same in seconds; give one or the other. */
  timeout?: number
  /** Automatic retries of calls that certainly were not accepted, 0 to 10 (default 2). */
  max_retries?: number
}

/** The documented request body of `send()`. */
export interface SendOptions extends MessageOptions, ClientOptions {
  /** `{ page_access_token }`; `META_PAGE_TOKEN` is used when absent. */
  session?: { page_access_token?: string }
}

/** What a recording is, detected from its content. */
export interface AudioInfo {
  /** `mp4`, `adts`, `mp3`, `ogg`, `webm`, `matroska`, `wav`, `flac`, `caf`, `aiff`. */
  container: string
  /** `aac-lc`, `he-aac`, `mp3`, `opus`, `vorbis`, `pcm_s16le`, `pcm_mulaw`, `flac`, `alac`, ... */
  codec: string
  sample_rate: number
  channels: number
  duration_ms: number
  size_bytes: number
}

/** A delivered voice note. */
export interface SendResult {
  /** The message id (the documented `result.id`; same as `message_id`). */
  id: string
  message_id: string
  recipient_id: string | null
  /** The reusable attachment id, when one was asked for or used. */
  attachment_id: string | null
  /** True when the audio was converted to M4A/AAC; false when passed through or sent by id. */
  converted: boolean
  /** The audio as received, when the SDK saw it. */
  input: AudioInfo | null
  /** The audio as uploaded, when the SDK uploaded it. */
  output: AudioInfo | null
}

/** A reusable attachment stored at Meta (90 days, this Page only). */
export interface UploadResult {
  attachment_id: string
  converted: boolean
  input: AudioInfo
  output: AudioInfo
}

/** The outcome for one recipient of `sendMany`. */
export type RecipientOutcome =
  | { recipient: string; ok: true; result: SendResult }
  | { recipient: string; ok: false; error: SvaraError }

/** What `prepare()` returns. */
export interface PreparedAudio {
  data: Buffer
  converted: boolean
  mime: 'audio/mp4'
  file_name: string
  input: AudioInfo
  output: AudioInfo
}

export interface TranscodeOptions extends ConversionOptions {
  /** Refuse recordings longer than this (`audio_too_large`). */
  max_duration_ms?: number
}

export type ErrorCode =
  | 'invalid_token'
  | 'recipient_not_found'
  | 'message_not_allowed'
  | 'audio_too_large'
  | 'audio_fetch_failed'
  | 'rate_limited'
  | 'unsupported_audio'
  | 'invalid_request'
  | 'permission_denied'
  | 'temporary_failure'
  | 'network_error'
  | 'api_error'

/** Base class of every error Svara raises. */
export declare class SvaraError extends Error {
  constructor(message: string, details?: Record<string, unknown>)
  /** The stable code, identical in Rust, Python and Node. */
  code: ErrorCode
  /** What to do about it. */
  hint: string | null
  /** HTTP status of the Graph response. */
  httpStatus: number | null
  /** Meta's `error.code`. */
  graphCode: number | null
  /** Meta's `error.error_subcode`. */
  graphSubcode: number | null
  /** Meta's `error.type`. */
  graphType: string | null
  /** Meta's `error.message`. */
  graphMessage: string | null
  /** Meta's `error.fbtrace_id`. */
  fbtraceId: string | null
  /** Meta's `error.is_transient`. */
  isTransient: boolean | null
  /** Seconds to wait before trying again. */
  retryAfter: number | null
  /** For `network_error`: the request was sent, so the note may have arrived; check before resending. */
  mayHaveBeenDelivered: boolean
  toJSON(): Record<string, unknown>
  static readonly code: ErrorCode
}
export declare class InvalidTokenError extends SvaraError { code: 'invalid_token'; static readonly code: 'invalid_token' }
export declare class RecipientNotFoundError extends SvaraError { code: 'recipient_not_found'; static readonly code: 'recipient_not_found' }
export declare class MessageNotAllowedError extends SvaraError { code: 'message_not_allowed'; static readonly code: 'message_not_allowed' }
export declare class AudioTooLargeError extends SvaraError { code: 'audio_too_large'; static readonly code: 'audio_too_large' }
export declare class AudioFetchFailedError extends SvaraError { code: 'audio_fetch_failed'; static readonly code: 'audio_fetch_failed' }
export declare class RateLimitedError extends SvaraError { code: 'rate_limited'; static readonly code: 'rate_limited' }
export declare class UnsupportedAudioError extends SvaraError { code: 'unsupported_audio'; static readonly code: 'unsupported_audio' }
export declare class InvalidRequestError extends SvaraError { code: 'invalid_request'; static readonly code: 'invalid_request' }
export declare class PermissionDeniedError extends SvaraError { code: 'permission_denied'; static readonly code: 'permission_denied' }
export declare class TemporaryFailureError extends SvaraError { code: 'temporary_failure'; static readonly code: 'temporary_failure' }
export declare class NetworkError extends SvaraError { code: 'network_error'; static readonly code: 'network_error' }
export declare class ApiError extends SvaraError { code: 'api_error'; static readonly code: 'api_error' }

/** Every code, in documentation order. */
export declare const ERROR_CODES: readonly ErrorCode[]
/** The class for a code. */
export declare function errorClassFor(code: string): typeof SvaraError

/** Sends one voice note: `await send({ platform, recipient, audio_url, session: { page_access_token } })`. */
export declare function send(options: SendOptions): Promise<SendResult>

/** Converts a recording to Messenger-ready M4A/AAC (M4A/AAC is returned byte for byte). */
export declare function transcode(input: Buffer | Uint8Array | ArrayBuffer | string | URL, options?: TranscodeOptions): Promise<Buffer>
/** Like `transcode`, with the conversion's details. */
export declare function prepare(input: Buffer | Uint8Array | ArrayBuffer | string | URL, options?: TranscodeOptions): Promise<PreparedAudio>
/** Describes a recording by its content. */
export declare function probe(input: Buffer | Uint8Array | ArrayBuffer | string | URL): Promise<AudioInfo>

/** The public part of a client's configuration. */
export interface ClientConfigInfo {
  graph_url: string
  api_version: string
  page_id: string | null
  timeout_ms: number
  max_retries: number
  app_secret_proof: boolean
}

/** A client for one Page: configuration and connection pool (the token stays in Rust). */
export declare class Client {
  constructor(options?: ClientOptions & { page_access_token?: string; session?: { page_access_token?: string } })
  readonly config: ClientConfigInfo
  readonly closed: boolean
  send(options: MessageOptions): Promise<SendResult>
  upload(options: Omit<AudioSourceOptions, 'attachment_id'> & ConversionOptions): Promise<UploadResult>
  sendMany(recipients: readonly string[], options: Omit<MessageOptions, 'recipient'>): Promise<RecipientOutcome[]>
  sendMany(options: Omit<MessageOptions, 'recipient'> & { recipients: readonly string[] }): Promise<RecipientOutcome[]>
  close(): Promise<void>
}

export declare const DEFAULT_GRAPH_URL: string
export declare const DEFAULT_API_VERSION: string
export declare const MAX_AUDIO_BYTES: number
export declare const CORE_VERSION: string
export { verifyWebhook, WebhookVerificationError, type WebhookEvent } from './webhooks'

declare const svara: {
  send: typeof send
  Client: typeof Client
  transcode: typeof transcode
  prepare: typeof prepare
  probe: typeof probe
  SvaraError: typeof SvaraError
}
export default svara
