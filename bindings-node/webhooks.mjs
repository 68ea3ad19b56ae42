// ESM entry of svara/webhooks.
import webhooks from './webhooks.js'

export const {
  verifyWebhook,
  verifyWebhookHeader,
  signWebhook,
  generateTestHeader,
  parseSignatureHeader,
  WebhookVerificationError,
  WEBHOOK_ERROR_CODES,
  SIGNATURE_HEADER,
  EVENT_ID_HEADER,
  DEFAULT_TOLERANCE,
} = webhooks
export default webhooks
