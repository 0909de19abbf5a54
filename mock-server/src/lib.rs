//! `ucr-mock`: a stateful mock of the CER Unit and Certificate Registry interoperability API.
//!
//! The state model ([`Registry`]) is pure and synchronous; the [`Router`] turns HTTP requests into
//! model calls and problem documents; two transports serve the router: [`MockRegistry`] (a
//! `wiremock` server, in-process, for tests) and [`serve`] (a plain hyper server, the `ucr-mock`
//! binary). Webhooks the model records are sent by a dispatcher thread with its own runtime
//! ([`delivery`]), so both transports deliver them; [`MockRegistry::webhooks_idle`] waits for them.
//!
//! ```no_run
//! # async fn example() {
//! use ucr_mock::MockRegistry;
//!
//! let registry = MockRegistry::start().await;
//! let accounts = format!("{}/v1/registers/accu-projects?limit=10", registry.uri());
//! // ... drive the API over HTTP, then check the model directly:
//! registry.check_invariants().unwrap();
//! # }
//! ```

#![deny(missing_docs)]
#![allow(
    clippy::result_large_err,
    reason = "refusals carry a whole problem document; they are rare and built once per request"
)]

pub mod delivery;
pub mod faults;
pub mod fixture;
mod paging;
pub mod public_registers;
pub mod rate_limit;
mod register_query;
pub mod registry;
pub mod router;
mod server;

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use wiremock::matchers::any;
use wiremock::{Mock, MockServer};

pub use faults::{Fault, Faults};
pub use fixture::{Fixture, FixtureError};
pub use public_registers::{DEFAULT_SEED, PublicRegisters};
pub use rate_limit::RateLimit;
pub use registry::{Principal, Registry, Synthetic};
pub use router::{ApiRequest, ApiResponse, Router};
pub use server::{MAX_BODY_BYTES, RegistryResponder, serve};

/// A mock registry served by a `wiremock::MockServer` on a random loopback port.
///
/// The registry answers through one catch-all mock with the lowest priority, so a test can mount
/// its own mocks (for example a `503` once) on [`MockRegistry::server`] and they take precedence.
#[derive(Debug)]
pub struct MockRegistry {
    server: MockServer,
    router: Router,
}

impl MockRegistry {
    /// Starts a registry with the default seed, the sandbox enabled and no fixture.
    pub async fn start() -> Self {
        Self::builder().start().await
    }

    /// Configures a registry before starting it.
    pub fn builder() -> MockRegistryBuilder {
        MockRegistryBuilder::default()
    }

    /// Base URI, e.g. `http://127.0.0.1:53219`; the API is under `/v1`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The underlying wiremock server, to mount higher-priority mocks on.
    pub fn server(&self) -> &MockServer {
        &self.server
    }

    /// The shared model, for white-box checks.
    pub fn registry(&self) -> Arc<RwLock<Registry>> {
        Arc::clone(self.router.registry())
    }

    /// The router serving this registry.
    pub fn router(&self) -> &Router {
        &self.router
    }

    /// The public registers served.
    pub fn registers(&self) -> &PublicRegisters {
        self.router.registers()
    }

    /// Starts a sandbox operator session directly in the model and returns its token.
    pub fn operator_token(&self) -> String {
        self.with_registry(|registry| registry.create_operator_session().token)
    }

    /// Runs [`Registry::check_invariants`] on the current state.
    pub fn check_invariants(&self) -> Result<(), String> {
        self.with_registry(|registry| registry.check_invariants())
    }

    /// Waits until no webhook delivery is `pending` (each was delivered, failed every attempt or
    /// was abandoned), or until `timeout` passes. Returns whether the deliveries settled.
    ///
    /// A failing receiver keeps a delivery pending for the whole backoff schedule (15.5 s with the
    /// default 500 ms base); shorten it with [`MockRegistryBuilder::webhook_backoff`] in tests.
    pub async fn webhooks_idle(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self.with_registry(|registry| registry.pending_deliveries()) == 0 {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Runs `f` with the model locked.
    pub fn with_registry<T>(&self, f: impl FnOnce(&mut Registry) -> T) -> T {
        let mut registry = self
            .router
            .registry()
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        f(&mut registry)
    }
}

/// Options for [`MockRegistry`] and the standalone server.
#[derive(Debug, Clone)]
pub struct MockRegistryBuilder {
    seed: u64,
    fixture: Option<Fixture>,
    sandbox: bool,
    webhook_backoff: Duration,
    faults: Faults,
    synthetic: Option<Synthetic>,
    rate_limit: Option<RateLimit>,
}

impl Default for MockRegistryBuilder {
    fn default() -> Self {
        MockRegistryBuilder {
            seed: DEFAULT_SEED,
            fixture: None,
            sandbox: true,
            webhook_backoff: delivery::DEFAULT_BACKOFF,
            faults: Faults::NONE,
            synthetic: None,
            rate_limit: None,
        }
    }
}

impl MockRegistryBuilder {
    /// Seed of the generated public registers (default [`DEFAULT_SEED`]).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// A fixture applied at start-up.
    pub fn fixture(mut self, fixture: Fixture) -> Self {
        self.fixture = Some(fixture);
        self
    }

    /// Enables or disables the sandbox API (default enabled).
    pub fn sandbox(mut self, enabled: bool) -> Self {
        self.sandbox = enabled;
        self
    }

    /// Delay before the first webhook redelivery (default 500 ms); each further retry waits twice
    /// as long, six attempts in all. Tests shorten it to see a failed delivery quickly.
    pub fn webhook_backoff(mut self, base: Duration) -> Self {
        self.webhook_backoff = base;
        self
    }

    /// Switches on a deliberate implementation bug (see [`faults`]); call again for more. Only for
    /// proving that a test suite notices it.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults = self.faults.with(fault);
        self
    }

    /// Starts from a synthetic registry of `size` (scale tests), generated deterministically from
    /// the [`seed`](MockRegistryBuilder::seed): see [`Registry::synthetic`]. A fixture is applied
    /// on top of it.
    pub fn synthetic(mut self, size: Synthetic) -> Self {
        self.synthetic = Some(size);
        self
    }

    /// Limits each principal to `limit` (a token bucket; `429 rate-limited` with `Retry-After` over
    /// it, and the `RateLimit-Policy` and `RateLimit` fields on every response). Off by default.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// Builds the state and the router without serving it (the standalone server uses this), and
    /// starts the webhook dispatcher thread, which ends when the router and its clones are dropped.
    pub fn router(self) -> Result<Router, FixtureError> {
        let mut registry = match self.synthetic {
            Some(size) => Registry::synthetic(size, self.seed),
            None => Registry::new(),
        };
        registry.set_faults(self.faults);
        if let Some(fixture) = &self.fixture {
            fixture.apply(&mut registry)?;
        }
        let registers = Arc::new(PublicRegisters::generate(self.seed));
        let registry = Arc::new(RwLock::new(registry));
        delivery::start(&registry, self.webhook_backoff, self.faults);
        Ok(Router::new(registry, registers, self.sandbox).with_rate_limit(self.rate_limit))
    }

    /// Starts the wiremock server, or reports a fixture that cannot be applied.
    pub async fn try_start(self) -> Result<MockRegistry, FixtureError> {
        let router = self.router()?;
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(RegistryResponder::new(router.clone()))
            .with_priority(u8::MAX)
            .named("UCR mock registry")
            .mount(&server)
            .await;
        Ok(MockRegistry { server, router })
    }

    /// Starts the wiremock server.
    ///
    /// # Panics
    /// If the fixture cannot be applied (use [`MockRegistryBuilder::try_start`] to handle that).
    pub async fn start(self) -> MockRegistry {
        match self.try_start().await {
            Ok(registry) => registry,
            Err(error) => panic!("cannot start the mock registry: {error}"),
        }
    }
}
