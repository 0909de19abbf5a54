//! Evidence recording: the exchanges each check makes, collected by a task-local [`Recorder`].

use std::sync::{Arc, Mutex};

use ucr_sdk::Exchange;

tokio::task_local! {
    static RECORDER: Arc<Recorder>;
}

/// The exchanges one check made, in order.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    exchanges: Mutex<Vec<Exchange>>,
}

impl Recorder {
    fn push(&self, exchange: Exchange) {
        self.exchanges
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(exchange);
    }

    /// Everything recorded so far.
    pub(crate) fn take(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.exchanges.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Runs `future` with this recorder receiving every exchange made inside it.
    pub(crate) async fn scope<F: Future>(self: Arc<Self>, future: F) -> F::Output {
        RECORDER.scope(self, future).await
    }
}

/// Records an exchange into the current check's evidence (ignored outside a check).
pub(crate) fn record(exchange: Exchange) {
    let _ = RECORDER.try_with(|recorder| recorder.push(exchange));
}
