import { send, Client, RateLimitedError, SvaraError, transcode } from 'svara'
import { startEmulator } from 'svara/testing'
async function main() {
  const emu = await startEmulator({ rate_limit: { audio_sends_per_second: 1 } })
  const r = await send({ platform: 'messenger', recipient: emu.psid, audio_url: 'https://x/y.m4a', session: { page_access_token: process.env.META_PAGE_TOKEN } })
  const id: string = r.id
  const c = new Client({ page_access_token: 'x' })
  const outs = await c.sendMany(['1'], { audio_path: 'a.ogg' })
  for (const o of outs) { if (!o.ok) { const code: string = o.error.code } else { const n: number | undefined = o.result.output?.duration_ms } }
  const b: Buffer = await transcode(Buffer.alloc(1), { bitrate: 32000 })
  try { } catch (e) { if (e instanceof RateLimitedError) { const s: number | null = e.retryAfter } }
  const tg = await send({ platform: 'telegram', recipient: emu.defaults.telegram.recipients.default, audio_path: 'a.mp3', session: { bot_token: emu.defaults.telegram.sender.token }, telegram_url: emu.url, caption: 'hi' })
  const wa = await send({ platform: 'whatsapp', recipient: '16505550101', audio_path: 'a.webm', session: { access_token: 'x', phone_number_id: '1' }, graph_url: emu.url })
  const inline: boolean | null = wa.fits_inline_player
  const where: 'messenger' | 'instagram' | 'whatsapp' | 'telegram' = tg.platform
  try { } catch (e) { if (e instanceof SvaraError) { const raw: number | null = e.platformCode; void raw } }
  void id; void b; void SvaraError; void inline; void where
  await emu.stop()
}
void main
