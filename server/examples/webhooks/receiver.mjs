// A receiver for svara serve's webhooks: each event's Svara-Signature is checked with
// verifyWebhook (origin and freshness) before it is used, retries are de-duplicated on the event
// id, and anything that does not verify is refused with 400. `svara/webhooks` is plain
// JavaScript (no native addon), so a receiver can load just it.
//
//   SVARA_WEBHOOK_SECRET=whsec_... node receiver.mjs 8000
import http from 'node:http'
import { verifyWebhook, WebhookVerificationError } from 'svara/webhooks'

const secret = process.env.SVARA_WEBHOOK_SECRET
const seen = new Set()

http
  .createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      try {
        const event = verifyWebhook(Buffer.concat(chunks), req.headers['svara-signature'], secret)
        if (!seen.has(event.id)) {
          // Delivery is at least once: de-duplicate on the event id.
          seen.add(event.id)
          console.log(`verified ${event.event} ${event.data.id} ${event.data.status}`)
        }
        res.writeHead(200).end()
      } catch (e) {
        if (!(e instanceof WebhookVerificationError)) throw e
        console.log(`refused: ${e.code}`)
        res.writeHead(400).end()
      }
    })
  })
  .listen(Number(process.argv[2] ?? 8000), '127.0.0.1')
