//! Building and running the server: connect and migrate the database, load keys, bind the
//! listener (so tests learn the random port before serving), serve until a shutdown signal.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::auth::{secret, JwtKeys, TrustedIssuers};
use crate::config::Config;
use crate::crypto::SecretBox;
use crate::db::Db;
use crate::http;
use crate::state::AppState;
use crate::sync::SyncEngine;

/// A bound, ready-to-serve server.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Connects and migrates the database, loads the keys and binds `config.listen`.
    ///
    /// # Errors
    /// Any of those steps failing, with context.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let listen = config.listen;
        let state = app_state(config).await?;
        let listener = TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        Ok(Self { listener, state })
    }

    /// The bound address (its port is the real one when `listen` asked for port 0).
    ///
    /// # Errors
    /// When the socket has no local address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The application state (tests use its database handle).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests and closes the pool.
    ///
    /// # Errors
    /// A failure of the server loop.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let router = http::router(self.state.clone());
        let (stop_worker, worker_stopped) = tokio::sync::watch::channel(false);
        let worker = self
            .state
            .config
            .sync
            .worker
            .then(|| tokio::spawn(crate::sync::run_worker(self.state.clone(), worker_stopped)));
        tracing::info!(address = %self.listener.local_addr()?, "pnl is serving GraphQL on /graphql");
        // The peer address reaches handlers and the rate limits (`ConnectInfo`).
        let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await
            .context("server failed")?;
        let _ = stop_worker.send(true);
        if let Some(worker) = worker {
            // A job in flight is abandoned (posting is idempotent).
            worker.abort();
            let _ = worker.await;
        }
        // Released, so a restart or another replica resumes it at once.
        if let Err(error) = crate::sync::release(&self.state.db, self.state.sync.worker_id()).await
        {
            tracing::warn!(%error, "cannot release this worker's sync leases");
        }
        self.state.db.close().await;
        tracing::info!("pnl stopped");
        Ok(())
    }
}

/// The application state of `config`: database connected and migrated, keys loaded.
///
/// # Errors
/// Any of those steps failing, with context.
pub async fn app_state(config: Config) -> anyhow::Result<AppState> {
    let db = Db::connect(&config.database_url()).await?;
    db.check_writable(&config.database_url()).await?;
    db.migrate().await?;
    let jwt = jwt_keys(&config)?;
    let secrets = secret_box(&config)?;
    // After the migrations: the engine frees the sync leases of processes that died.
    let sync = SyncEngine::start(&db, &config.database_url()).await?;
    let reports = Arc::new(crate::pnl::ReportCache::new(
        config.graphql.report_cache_rows,
    ));
    Ok(AppState {
        db,
        jwt,
        config: Arc::new(config),
        secrets,
        sync: Arc::new(sync),
        connectors: crate::connectors::Registry::builtin(),
        reports,
    })
}

/// The token keys of `config`: its HS256 secret (generated into the data directory on first
/// start when unset) and its trusted issuers.
///
/// # Errors
/// An unreadable secret file or issuer key.
pub fn jwt_keys(config: &Config) -> anyhow::Result<JwtKeys> {
    let secret = match &config.jwt_secret {
        Some(secret) => secret.expose().to_owned(),
        None => secret::load_or_generate(&config.data_dir, "jwt-secret", "PNL_JWT_SECRET")?,
    };
    let trusted = TrustedIssuers::load(&config.trusted_issuers)?;
    Ok(JwtKeys::new(
        secret.as_bytes(),
        &config.jwt_issuer,
        &config.jwt_audience,
        trusted,
    ))
}

/// The credentials box of `config`: its `secret_key`, or one generated into the data directory.
///
/// # Errors
/// An invalid or unreadable key.
pub fn secret_box(config: &Config) -> anyhow::Result<SecretBox> {
    let key = match &config.secret_key {
        Some(key) => key.expose().to_owned(),
        None => secret::load_or_generate(&config.data_dir, "secret-key", "PNL_SECRET_KEY")?,
    };
    SecretBox::from_base64(&key)
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
