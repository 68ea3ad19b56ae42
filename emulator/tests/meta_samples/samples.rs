//! Meta's published curl samples, verbatim as the docs print them (copied from the pages
//! named above each; stray spaces, a zero-width space and a typo included).

/// Send API reference, "Sample Request" (https://developers.facebook.com/docs/messenger-platform/reference/send-api).
pub const SEND_API_TEXT: &str =
    "curl -X POST \"https://graph.facebook.com/v25.0/{PAGE_ID}/messages\" \\
      -d \"recipient={'id':'{PSID}'}\" \\
      -d \"messaging_type=RESPONSE\" \\
      -d \"message={'text':'hello, world'}\" \\
      -d \"access_token={PAGE_ACCESS_TOKEN}\"
";

/// Quick Start, "Send a message" (https://developers.facebook.com/documentation/business-messaging/messenger-platform/getting-started/quick-start).
pub const QUICK_START_TEXT: &str =
    "curl -X POST \"https://graph.facebook.com/<API_VERSION>/<PAGE_ID>/messages\" \\
    -d \"recipient={'id':'<PSID>'}\" \\
    -d \"messaging_type=RESPONSE\" \\
    -d \"message={'text':'You did it!'}\" \\
    -d \"access_token=<PAGE_ACCESS_TOKEN>\"
";

/// Send a Message, "Send a basic text" (https://developers.facebook.com/docs/messenger-platform/send-messages).
pub const SEND_A_MESSAGE_TEXT: &str = "curl -X POST -H \"Content-Type: application/json\" -d '{
  \"recipient\":{
    \"id\":\"<PSID>\"
  },
  \"messaging_type\": \"RESPONSE\",
  \"message\":{
    \"text\":\"Hello, world!\"
  }
}' \"https://graph.facebook.com/v25.0/{PAGE-ID}/messages?access_token={PAGE-ACCESS-TOKEN}\"
";

/// Send a Message, "Send a media attachment" (same page).
pub const SEND_A_MESSAGE_IMAGE_URL: &str =
    "curl -X POST -H \"Content-Type: application/json\" -d '{
  \"recipient\":{
    \"id\":\"1254459154682919\"
  },
  \"message\":{
    \"attachment\":{
      \"type\":\"image\",
      \"payload\":{
        \"url\":\"http://www.messenger-rocks.com/image.jpg\",
        \"is_reusable\":true
      }
    }
  }
}' \"https://graph.facebook.com/v25.0/me/messages?access_token={PAGE_ACCESS_TOKEN}\"
";

/// Sender Actions, "Display a Sender Action" (https://developers.facebook.com/docs/messenger-platform/send-messages/sender-actions).
pub const SENDER_ACTION_TYPING_ON: &str =
    "curl -X POST -H \"Content-Type: application/json\" -d '{  
  \"recipient\":{  
    \"id\":\"<PSID>\"  
  },  
  \"sender_action\":\"typing_on\"  
}' \"https://graph.facebook.com/VERSION/PAGE-ID/messages?access_token=PAGE-ACCESS_TOKEN;\"
";

/// Saving Assets, "Save with the Send API > Save from file" (https://developers.facebook.com/documentation/business-messaging/messenger-platform/send-messages/saving-assets).
pub const SAVING_ASSETS_FROM_FILE: &str = "curl  \\
  -F 'recipient={\"id\":\"<PSID>\"}' \\
  -F 'message={\"attachment\":{\"type\":\"<ASSET_TYPE>\", \"payload\":{\"is_reusable\":true}\u{200b}}}' \\
  -F 'filedata=@/tmp/shirt.png;type=image/png' \\
  \"https://graph.facebook.com/v25.0/me/messages?access_token=<PAGE_ACCESS_TOKEN>\"
";

/// Saving Assets, "Save with the Attachment Upload API > Save from URL" (same page).
pub const SAVING_ASSETS_UPLOAD_FROM_URL: &str = "curl --location --request POST 'https://graph.facebook.com/v2.10/me/message_attachments?access_token=<PAGE_ACCESS_TOKEN>' \\
--header 'Content-Type: application/json' \\
--data-raw '{
  \"message\":{
    \"attachment\":{
      \"type\":\"image\",
      \"payload\":{
        \"url\":\"http://www.messenger-rocks.com/image.jpg\",
        \"is_reusable\": true
      }
    }
  }
}'
";
