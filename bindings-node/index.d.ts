// Types of the `svara` package (hand-written; `native.d.ts` describes the raw addon).

// BEGIN GENERATED FROM svara::FIELDS (core/tests/generated_from_fields.rs; do not edit)

/** `platform`: the platform to send to: "messenger" (the default), "instagram", "whatsapp" or "telegram". */
export type Platform = 'messenger' | 'instagram' | 'whatsapp' | 'telegram' | (string & {})

/** `format`: the voice-note format to make: m4a-aac (Messenger, Instagram; the default) or ogg-opus (WhatsApp, Telegram). */
export type Format = 'm4a-aac' | 'ogg-opus' | (string & {})

/** `messaging_type`: RESPONSE, UPDATE or MESSAGE_TAG (with a tag). */
export type MessagingType = 'RESPONSE' | 'UPDATE' | 'MESSAGE_TAG' | (string & {})

/** `notification_type`: REGULAR, SILENT_PUSH or NO_PUSH. */
export type NotificationType = 'REGULAR' | 'SILENT_PUSH' | 'NO_PUSH' | (string & {})

/** The session of platform="messenger": {page_access_token}. */
export interface MessengerSession {
  /** The access token of the Page that sends (with pages_messaging) (META_PAGE_TOKEN when absent). */
  page_access_token?: string
}

/** The session of platform="instagram": {access_token, ig_user_id} or {page_access_token}. */
export interface InstagramSession {
  /** The Instagram user access token (Instagram Login) (INSTAGRAM_ACCESS_TOKEN when absent). */
  access_token?: string
  /** The Instagram professional account id (Instagram Login; /me when absent). */
  ig_user_id?: string
  /** The token of the Page linked to the account (Facebook Login). */
  page_access_token?: string
}

/** The session of platform="whatsapp": {access_token, phone_number_id}. */
export interface WhatsappSession {
  /** The WhatsApp Cloud API access token (a system user token with whatsapp_business_messaging) (WHATSAPP_ACCESS_TOKEN when absent). */
  access_token?: string
  /** The id of the business phone number that sends (not the number itself). */
  phone_number_id: string
}

/** The session of platform="telegram": {bot_token}. */
export interface TelegramSession {
  /** The bot token from @BotFather (123456789:AA...) (TELEGRAM_BOT_TOKEN when absent). */
  bot_token?: string
}

/** The platform fields. */
export interface PlatformFields {
  /** The platform to send to: "messenger" (the default), "instagram", "whatsapp" or "telegram". */
  platform?: Platform
}

/** The recipient fields. */
export interface RecipientFields {
  /** Who gets the note: a Messenger PSID (e.g. "6128493027184956"), an Instagram IGSID, a WhatsApp phone number or wa_id, or a Telegram chat_id. */
  recipient: string
}

/** The session fields. */
export interface SessionFields {
  /** The platform credentials: messenger { page_access_token } (META_PAGE_TOKEN), instagram { access_token, ig_user_id } (INSTAGRAM_ACCESS_TOKEN) or { page_access_token }, whatsapp { access_token, phone_number_id } (WHATSAPP_ACCESS_TOKEN), telegram { bot_token } (TELEGRAM_BOT_TOKEN). */
  session?: MessengerSession | InstagramSession | WhatsappSession | TelegramSession
}

/** The audio fields. */
export interface AudioFields {
  /** An http(s) URL of the recording (downloaded by the SDK, at most 25 MB; 50 MB for telegram). */
  audio_url?: string | URL
  /** A local file path of the recording. */
  audio_path?: string | URL
  /** The recording's bytes. */
  audio?: Buffer | Uint8Array | ArrayBuffer
}

/** The conversion fields. */
export interface ConversionFields {
  /** The bitrate of converted audio in bits per second (AAC: 8000 to 320000, default 64000; Opus: 6000 to 256000, default 32000); bits per second between 6000 and 320000. */
  bitrate?: number
  /** True to keep stereo recordings stereo in M4A/AAC (voice notes are mono by default; Opus notes are always mono); messenger, instagram only. */
  keep_stereo?: boolean
  /** True to encode faster at slightly lower quality where that pays (AAC below 2 bits per sample, Opus). */
  fast_encode?: boolean
  /** The longest recording to accept, in seconds; seconds between 0 and 86400. */
  max_duration?: number
  /** The longest recording to accept, in milliseconds; milliseconds between 1 and 86400000. */
  max_duration_ms?: number
}

/** The target fields. */
export interface TargetFields {
  /** The voice-note format to make: m4a-aac (Messenger, Instagram; the default) or ogg-opus (WhatsApp, Telegram). */
  format?: Format
}

/** The message fields. */
export interface MessageFields {
  /** The reusable id of an earlier upload (a Messenger or Instagram attachment_id, a WhatsApp media id, a Telegram file_id), sent instead of audio. */
  attachment_id?: string
  /** RESPONSE, UPDATE or MESSAGE_TAG (with a tag); messenger, instagram only. */
  messaging_type?: MessagingType
  /** A message tag such as "HUMAN_AGENT" (with messaging_type MESSAGE_TAG); messenger, instagram only. */
  tag?: string
  /** REGULAR, SILENT_PUSH or NO_PUSH; messenger only. */
  notification_type?: NotificationType
  /** A text shown under the voice note; 0 to 1024 characters; telegram only. */
  caption?: string
}

/** The single send fields. */
export interface SingleSendFields {
  /** True to ask for a reusable attachment_id (Instagram, WhatsApp and Telegram always return one). */
  reusable?: boolean
}

/** The connection fields. */
export interface ConnectionFields {
  /** The Graph API base URL, e.g. "https://graph.facebook.com" (SVARA_GRAPH_URL when absent; Instagram Login defaults to https://graph.instagram.com); messenger, instagram, whatsapp only. */
  graph_url?: string | URL
  /** The Bot API base URL, e.g. "https://api.telegram.org" (SVARA_TELEGRAM_URL when absent); telegram only. */
  telegram_url?: string | URL
  /** A Graph API version such as "v25.0"; messenger, instagram, whatsapp only. */
  api_version?: string
  /** Your Meta App secret, to sign every call with appsecret_proof; messenger, instagram, whatsapp only. */
  app_secret?: string
  /** The Page's numeric id, to call /{page-id}/messages instead of /me/messages; messenger, instagram only. */
  page_id?: string
  /** The whole-request timeout of the platform's calls in seconds; seconds between 0 and 3600 (default 60). */
  timeout?: number
  /** The whole-request timeout of the platform's calls in milliseconds; milliseconds between 1 and 3600000 (default 60000). */
  timeout_ms?: number
  /** The number of automatic retries of calls that certainly were not accepted; 0 to 10 retries (default 2). */
  max_retries?: number
}

/** The client fields. */
export interface ClientFields {
  /** Your Page access token (the same as session.page_access_token); messenger, instagram only. */
  page_access_token?: string
  /** The client-side pace of sends per sender (default 10 per Page or Instagram account, 80 per WhatsApp number, 30 per Telegram bot); sends per second between 0 and 10000. */
  sends_per_second?: number
  /** The number of sends in flight during send_many; 1 to 256 sends in flight (default 8). */
  concurrency?: number
  /** The User-Agent header of the platform's calls. */
  user_agent?: string
}

/** The options of `send()`. */
export interface SendOptions extends PlatformFields, RecipientFields, SessionFields, AudioFields, ConversionFields, MessageFields, SingleSendFields, ConnectionFields {}

/** The options of `new Client()`. */
export interface ClientOptions extends PlatformFields, SessionFields, ConnectionFields, ClientFields {}

/** The options of `client.send()`. */
export interface MessageOptions extends PlatformFields, RecipientFields, AudioFields, ConversionFields, MessageFields, SingleSendFields {}

/** The options of `client.upload()`. */
export interface UploadOptions extends AudioFields, ConversionFields {}

/** The options of `client.sendMany()`. */
export interface SendManyOptions extends AudioFields, ConversionFields, MessageFields {}

/** The options of `transcode()`. */
export interface TranscodeOptions extends ConversionFields, TargetFields {}
// END GENERATED FROM svara::FIELDS

/** Names of earlier versions. */
export type AudioSourceOptions = AudioFields & Pick<MessageFields, 'attachment_id'>
/** Names of earlier versions. */
export type ConversionOptions = ConversionFields

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
  /** The recipient as the platform names it: `recipient_id` (Meta), `wa_id` (WhatsApp), `chat.id` (Telegram). */
  recipient_id: string | null
  /** The reusable id of the audio, when one was asked for, returned or used: a Messenger or Instagram attachment id, a WhatsApp media id, a Telegram `file_id`. */
  attachment_id: string | null
  /** True when the audio was converted; false when passed through or sent by id. */
  converted: boolean
  /** The audio as received, when the SDK saw it. */
  input: AudioInfo | null
  /** The audio as uploaded, when the SDK uploaded it. */
  output: AudioInfo | null
  /** The platform it went to. */
  platform: 'messenger' | 'instagram' | 'whatsapp' | 'telegram'
  /** WhatsApp: whether the note is small enough (512 KB) for the inline play button; null elsewhere. */
  fits_inline_player: boolean | null
}

/** Audio stored at the platform for reuse (a Messenger or Instagram attachment for 90 days, a WhatsApp media id for 30 days). */
export interface UploadResult {
  attachment_id: string
  converted: boolean
  input: AudioInfo
  output: AudioInfo
  platform: 'messenger' | 'instagram' | 'whatsapp' | 'telegram'
  fits_inline_player: boolean | null
}

/** The outcome for one recipient of `sendMany`. */
export type RecipientOutcome =
  | { recipient: string; ok: true; result: SendResult }
  | { recipient: string; ok: false; error: SvaraError }

/** What `prepare()` returns. */
export interface PreparedAudio {
  data: Buffer
  converted: boolean
  mime: 'audio/mp4' | 'audio/ogg'
  file_name: string
  input: AudioInfo
  output: AudioInfo
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
  /** HTTP status of the platform's response. */
  httpStatus: number | null
  /** The platform whose call failed, when one did. */
  platform: 'messenger' | 'instagram' | 'whatsapp' | 'telegram' | null
  /** The platform's own error code (Graph `error.code`, Telegram's `error_code`). */
  platformCode: number | null
  /** The platform's own error text (Graph `error.message`, Telegram's `description`), token removed. */
  platformMessage: string | null
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

/** Converts a recording to a voice note: M4A/AAC by default, Ogg/Opus with `format: 'ogg-opus'` (input already in the format is returned byte for byte). */
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
  constructor(options?: ClientOptions)
  readonly config: ClientConfigInfo
  readonly closed: boolean
  send(options: MessageOptions): Promise<SendResult>
  upload(options: UploadOptions): Promise<UploadResult>
  sendMany(recipients: readonly string[], options: SendManyOptions): Promise<RecipientOutcome[]>
  sendMany(options: SendManyOptions & { recipients: readonly string[] }): Promise<RecipientOutcome[]>
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
