//! The server suite: one test binary (one link) holding every story. Each test starts its own
//! server on 127.0.0.1:0 with its own database; all traffic stays on 127.0.0.1.

mod flow;
mod http;
mod idempotency;
mod live;
mod load;
mod metrics;
mod openapi;
mod platforms;
mod postgres;
mod receipts;
mod scale;
mod shutdown;
mod ssrf;
mod support;
mod webhooks;
