// send({ platform: 'telegram' | 'whatsapp' | 'instagram', ... }) through the emulator over real
// HTTP: the same body as every Svara SDK, the platform's native format, its errors as the same
// classes with the platform's raw code, the platform's token variable, no token in any text.
import test, { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { send, Client, MessageNotAllowedError, InvalidTokenError, RecipientNotFoundError, InvalidRequestError } from '../index.mjs'
import { startEmulator } from '../testing.mjs'
import { fixture } from './helpers.mjs'

let emu
let TG, WA, IG
before(async () => {
  emu = await startEmulator()
  ;({ telegram: TG, whatsapp: WA, instagram: IG } = emu.defaults)
})
after(async () => {
  await emu.stop()
})

function assertNoSecret(secret, err) {
  for (const text of [String(err), err.message, JSON.stringify(err), err.stack || '']) {
    assert.ok(!text.includes(secret), `the secret leaked: ${text}`)
  }
}

test('telegram: mono Ogg/Opus with a caption, TELEGRAM_BOT_TOKEN, mapped errors without the token', async () => {
  const chat = TG.recipients.default
  const r = await send({
    platform: 'telegram',
    recipient: chat,
    audio_path: fixture('speech-stereo.mp3'),
    session: { bot_token: TG.sender.token },
    telegram_url: emu.url,
    caption: 'hello from Node',
  })
  assert.equal(r.platform, 'telegram')
  assert.equal(r.converted, true)
  assert.deepEqual([r.output.container, r.output.codec, r.output.channels], ['ogg', 'opus', 1])
  assert.ok(r.attachment_id, 'the file_id is returned')
  const [d] = emu.deliveries(chat)
  assert.equal(d.platform, 'telegram')
  assert.equal(String(d.message_id), r.id)
  assert.equal(d.caption, 'hello from Node')
  assert.equal(d.voice_note, true)

  process.env.TELEGRAM_BOT_TOKEN = TG.sender.token
  try {
    const again = await send({ platform: 'telegram', recipient: chat, audio_path: fixture('speech-s16-16k.wav'), telegram_url: emu.url })
    assert.notEqual(again.id, r.id)
    assert.equal(emu.deliveries(chat).length, 2)
  } finally {
    delete process.env.TELEGRAM_BOT_TOKEN
  }

  const secret = TG.sender.token.split(':')[1]
  const blocked = await send({
    platform: 'telegram',
    recipient: TG.recipients.blocked,
    audio_path: fixture('speech-stereo.mp3'),
    session: { bot_token: TG.sender.token },
    telegram_url: emu.url,
  }).catch((e) => e)
  assert.ok(blocked instanceof MessageNotAllowedError, String(blocked))
  assert.deepEqual([blocked.platform, blocked.platformCode, blocked.httpStatus], ['telegram', 403, 403])
  assertNoSecret(secret, blocked)

  const unknown = await send({
    platform: 'telegram',
    recipient: TG.recipients.unknown,
    audio_path: fixture('speech-stereo.mp3'),
    session: { bot_token: TG.sender.token },
    telegram_url: emu.url,
  }).catch((e) => e)
  assert.ok(unknown instanceof RecipientNotFoundError, String(unknown))
  assertNoSecret(secret, unknown)
})

test('whatsapp: a voice message (wamid, fits_inline_player), 131047 and 190 mapped', async () => {
  const session = { access_token: WA.sender.token, phone_number_id: WA.sender.phone_number_id }
  const to = WA.recipients.default
  const r = await send({ platform: 'whatsapp', recipient: to, audio_path: fixture('speech.opus.webm'), session, graph_url: emu.url })
  assert.equal(r.platform, 'whatsapp')
  assert.ok(r.id.startsWith('wamid.'), r.id)
  assert.equal(r.fits_inline_player, true)
  assert.deepEqual([r.output.container, r.output.codec, r.output.channels], ['ogg', 'opus', 1])
  const [d] = emu.deliveries(to)
  assert.equal(d.platform, 'whatsapp')
  assert.equal(d.voice_note, true)

  const closed = await send({ platform: 'whatsapp', recipient: WA.recipients.outside_window, audio_path: fixture('speech.opus.webm'), session, graph_url: emu.url }).catch((e) => e)
  assert.ok(closed instanceof MessageNotAllowedError, String(closed))
  assert.deepEqual([closed.platform, closed.platformCode], ['whatsapp', 131047])

  const expired = await send({
    platform: 'whatsapp',
    recipient: to,
    audio_path: fixture('speech.opus.webm'),
    session: { ...session, access_token: WA.sender.expired_token },
    graph_url: emu.url,
  }).catch((e) => e)
  assert.ok(expired instanceof InvalidTokenError, String(expired))
  assert.equal(expired.platformCode, 190)
  assertNoSecret(WA.sender.expired_token, expired)

  const foreign = await send({ platform: 'whatsapp', recipient: to, audio_path: fixture('speech.opus.webm'), session: { ...session, bot_token: 'x:y' }, graph_url: emu.url }).catch((e) => e)
  assert.ok(foreign instanceof InvalidRequestError, String(foreign))
  assert.match(foreign.message, /bot_token/)
})

test('instagram: AAC in MP4 on Instagram Login and on Facebook Login', async () => {
  const igsid = IG.recipients.default
  const login = await send({
    platform: 'instagram',
    recipient: igsid,
    audio_path: fixture('speech-s16-16k.wav'),
    session: { access_token: IG.sender.token, ig_user_id: IG.sender.ig_user_id },
    graph_url: emu.url,
  })
  assert.equal(login.platform, 'instagram')
  assert.deepEqual([login.output.container, login.output.codec], ['mp4', 'aac-lc'])
  const page = await send({
    platform: 'instagram',
    recipient: igsid,
    audio_path: fixture('speech-s16-16k.wav'),
    session: { page_access_token: IG.sender.page_token },
    graph_url: emu.url,
  })
  assert.notEqual(page.id, login.id)
  const got = emu.deliveries(igsid)
  assert.deepEqual(got.map((d) => d.platform), ['instagram', 'instagram'])
  assert.ok(got.every((d) => d.voice_note))
})

test('a WhatsApp client sends many with one upload', async () => {
  emu.reset()
  const client = new Client({
    platform: 'whatsapp',
    session: { access_token: WA.sender.token, phone_number_id: WA.sender.phone_number_id },
    graph_url: emu.url,
  })
  const outs = await client.sendMany([WA.recipients.default, WA.recipients.second], { audio_path: fixture('speech-stereo.mp3') })
  assert.deepEqual(outs.map((o) => o.ok), [true, true])
  assert.equal(new Set(outs.map((o) => o.result.attachment_id)).size, 1)
  const uploads = emu.snapshot().attachments.filter((a) => a.platform === 'whatsapp')
  assert.equal(uploads.length, 1)
  await client.close()
})
