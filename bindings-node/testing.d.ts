// Types of `svara/testing`.

/** A voice note the emulator accepted. */
export interface EmulatorMessage {
  /** The API that received it: `messenger`, `instagram`, `whatsapp` or `telegram`. */
  platform: 'messenger' | 'instagram' | 'whatsapp' | 'telegram'
  message_id: string
  recipient_id: string
  page_id: string
  attachment_id: string | null
  messaging_type: string
  tag: string | null
  notification_type: string | null
  origin: string
  url: string | null
  audio: import('./index').AudioInfo
  filename: string | null
  content_type: string | null
  sha256: string
  /** True when the audio is what the platform plays as a voice note. */
  voice_note: boolean
  /** WhatsApp: whether the note shows the inline play button (512 KB). */
  fits_inline_player?: boolean | null
  /** Telegram: the caption under the note. */
  caption?: string | null
  api_version: string
  received_at_ms: number
}

/** Everything the emulator received (`GET /__emulator/messages`). */
export interface EmulatorSnapshot {
  recipients: Record<string, { attempts: number; messages: EmulatorMessage[] }>
  attachments: Array<Record<string, unknown>>
  attempts: number
  upload_attempts: number
  delivered: number
}

/** The well-known tokens and PSIDs of the default scenario. */
export interface EmulatorDefaults {
  pageId: string
  pageToken: string
  expiredPageToken: string
  secondPageId: string
  secondPageToken: string
  devModePageId: string
  devModePageToken: string
  psid: string
  psidSecond: string
  psidOutsideWindow: string
  psidOutsideHumanAgentWindow: string
  psidBlocked: string
  psidUnavailable: string
  psidAppTester: string
  psidUnknown: string
  /** The PSIDs by role (the same roles as Python's `svara.testing.PSIDS`). */
  psids: Readonly<Record<'default' | 'second' | 'outside_window' | 'outside_human_agent_window' | 'blocked' | 'unavailable' | 'app_tester' | 'unknown', string>>
  /** Instagram: `sender` (`ig_user_id`, `token`, `expired_token`, `page_id`, `page_token`) and IGSIDs by role. */
  instagram: PlatformDefaults
  /** WhatsApp: `sender` (`phone_number_id`, `token`, `expired_token`) and wa_ids by role. */
  whatsapp: PlatformDefaults
  /** Telegram: `sender` (`bot_id`, `token`, `revoked_token`) and chat ids by role. */
  telegram: PlatformDefaults
}

/** One platform's well-known sender values and recipients by role. */
export interface PlatformDefaults {
  sender: Readonly<Record<string, string>>
  recipients: Readonly<Record<string, string>>
}

/** A running Graph API emulator on 127.0.0.1. */
export declare class Emulator {
  /** `http://127.0.0.1:PORT`: pass it as `graph_url` or SVARA_GRAPH_URL. */
  readonly url: string
  /** A valid Page token of the scenario. */
  readonly token: string
  /** A PSID inside the 24-hour window. */
  readonly psid: string
  readonly defaults: EmulatorDefaults
  snapshot(): EmulatorSnapshot
  /** Accepted voice notes, oldest first (only those to `psid` when given). */
  deliveries(psid?: string): EmulatorMessage[]
  /** @deprecated the old name of `deliveries()`. */
  messages(psid?: string): EmulatorMessage[]
  attempts(psid: string): number
  audio(sha256: string): Buffer | null
  /** `{ META_PAGE_TOKEN, SVARA_GRAPH_URL }` for this emulator. */
  env(): { META_PAGE_TOKEN: string; SVARA_GRAPH_URL: string }
  /** Sets both in process.env; returns a function that restores them. */
  useEnv(): () => void
  reset(): void
  stop(): Promise<void>
}

/**
 * Emulator scenario: the keys of the emulator's config file (`pages`, `psids`, `rate_limit`,
 * `faults`, `audio`, `accept_any_psid`, `app_secret`, ...), or `configFile` (a .json/.toml path).
 */
export interface EmulatorOptions {
  configFile?: string
  [key: string]: unknown
}

export declare function startEmulator(options?: EmulatorOptions): Promise<Emulator>
export declare const EMULATOR_DEFAULTS: EmulatorDefaults
