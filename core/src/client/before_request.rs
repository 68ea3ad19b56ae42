//! The caller's last word before a Graph request is written, after the send limiter's wait:
//! a queue (the `svara serve` worker) records there, durably, that a send is about to happen,
//! so that a crash before that point is known to have sent nothing and one after it is treated
//! as "may have been delivered". An error from the hook aborts the call with nothing sent.

use crate::error::Result;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The Graph request about to be written. Never holds the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestEvent {
    /// Which call: `send`, `send_by_id` or `upload`.
    pub operation: &'static str,
    /// 0 for the first attempt, then 1, 2, ... for automatic retries.
    pub attempt: u32,
}

/// The future a [`BeforeRequestHook`] returns.
pub type BeforeRequestFuture = Pin<Box<dyn Future<Output = Result<()>> + Send>>;

/// An async callback run right before each Graph request is written. Build with
/// [`BeforeRequestHook::new`] or [`crate::ClientBuilder::before_request`].
#[derive(Clone)]
pub struct BeforeRequestHook(Arc<dyn Fn(RequestEvent) -> BeforeRequestFuture + Send + Sync>);

impl BeforeRequestHook {
    /// Wraps an async callback; an `Err` it returns aborts the call before anything is written.
    pub fn new<F, Fut>(f: F) -> Self
    where
        F: Fn(RequestEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<()>> + Send + 'static,
    {
        BeforeRequestHook(Arc::new(move |event| Box::pin(f(event))))
    }

    /// Runs the callback.
    pub fn call(&self, event: RequestEvent) -> BeforeRequestFuture {
        (self.0)(event)
    }
}

impl fmt::Debug for BeforeRequestHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BeforeRequestHook(..)")
    }
}
