//! [`Sandbox`]: the running simulator (an axum server in a tokio task on loopback).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::amazon::AmazonWorld;
use crate::api::{self, AppState, TokenStore};
use crate::config::SandboxConfig;
use crate::faults::Faults;
use crate::shopify::ShopifyWorld;
use crate::world::World;

/// Locks a mutex, ignoring poisoning (the guarded data stays consistent: every critical
/// section is a single insert, remove or lookup).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running simulator of the TikTok Shop API, its auth host and the Marketing API.
#[derive(Debug)]
pub struct Sandbox {
    state: Arc<AppState>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Starts a sandbox on `127.0.0.1` with a free port.
    ///
    /// # Errors
    /// Fails if the config is invalid (`InvalidInput`) or the port cannot be bound.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Self> {
        Self::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a sandbox on `addr`.
    ///
    /// # Errors
    /// Fails if the config is invalid (`InvalidInput`) or `addr` cannot be bound.
    pub async fn start_on(config: SandboxConfig, addr: SocketAddr) -> std::io::Result<Self> {
        let world = World::new(&config)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let amazon = AmazonWorld::new(config.amazon.clone(), config.seed, config.today);
        let shopify = ShopifyWorld::new(config.shopify.clone(), config.seed, config.today, &world);
        let state = Arc::new(AppState {
            shopify: Arc::new(shopify),
            amazon: Arc::new(amazon),
            config,
            world: Arc::new(world),
            faults: Arc::new(Faults::default()),
            tokens: Mutex::new(TokenStore::default()),
            webhooks: Mutex::new(BTreeMap::new()),
        });
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let app = api::router(Arc::clone(&state));
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        tracing::info!(%addr, "sandbox listening");
        Ok(Self {
            state,
            addr,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`: the shop API, the auth host and the ads host.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &SandboxConfig {
        &self.state.config
    }

    /// The generated truth, for assertions.
    pub fn world(&self) -> &World {
        &self.state.world
    }

    /// Fault injection switches.
    pub fn faults(&self) -> &Faults {
        &self.state.faults
    }

    /// A single-use authorisation code, as `/oauth/authorize` would redirect with.
    pub fn issue_auth_code(&self) -> String {
        lock(&self.state.tokens).issue_code()
    }

    /// A single-use Marketing API authorisation code.
    pub fn issue_ads_auth_code(&self) -> String {
        lock(&self.state.tokens).issue_ads_code()
    }

    /// The Amazon side: generated groups and events, settlement files, LWA and usage-plan
    /// counters. Its hosts (LWA, Seller Central consent, SP-API for every region, report
    /// documents) are all [`Sandbox::base_url`].
    pub fn amazon(&self) -> &AmazonWorld {
        &self.state.amazon
    }

    /// A refresh token for the Amazon seller `seller_id`, as if it had authorised the app
    /// (None for a seller not in the config).
    pub fn amazon_refresh_token(&self, seller_id: &str) -> Option<String> {
        self.state
            .amazon
            .issue_refresh_token(seller_id, self.state.faults.amazon())
    }

    /// The Shopify side: generated stores, payouts and balance transactions, operation
    /// counters, webhooks. Every store is served under `{base_url}/shopify/{domain}`.
    pub fn shopify(&self) -> &ShopifyWorld {
        &self.state.shopify
    }

    /// An offline access token for the Shopify store `domain`, as if the merchant had
    /// installed the app (None for a store not in the config).
    pub fn shopify_access_token(&self, domain: &str) -> Option<String> {
        let store = self.state.shopify.store_index(domain)?;
        let generation = self.state.faults.shopify().generation(domain);
        Some(self.state.shopify.issue_token(store, generation))
    }

    /// Stops the server and waits for it to finish.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
