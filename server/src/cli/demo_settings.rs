//! `demo.toml` in the data directory: the sandbox a running `pnl demo` started (its TikTok and
//! Amazon hosts, app credentials and the backfill that reaches its history), so that other
//! commands on the same data directory — `pnl sync --shop …` in another shell above all — talk
//! to that sandbox and not to TikTok's or Amazon's production hosts with an empty app key. The demo writes it owner-only (0600: it
//! holds app secrets) and removes it when it stops. It fills in only settings still at their
//! built-in defaults: `pnl.toml`, `PNL_*` variables and flags keep precedence.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::config::{Config, Secret, SyncConfig};
use crate::connectors::amazon::config::AmazonAppConfig;
use crate::connectors::shopify::config::ShopifyAppConfig;
use crate::connectors::tiktok::config::{TikTokAdsAppConfig, TikTokAppConfig};

/// The file's name inside the data directory.
pub(super) const FILE: &str = "demo.toml";

#[derive(Debug, Serialize, Deserialize)]
struct DemoSettings {
    tiktok: TikTok,
    tiktok_ads: TikTokAds,
    /// Absent in a file written before the demo connected an Amazon seller.
    #[serde(default)]
    amazon: Option<Amazon>,
    /// Absent in a file written before the demo installed a Shopify store.
    #[serde(default)]
    shopify: Option<Shopify>,
    sync: Sync,
}

#[derive(Debug, Serialize, Deserialize)]
struct TikTok {
    app_key: String,
    app_secret: String,
    api_base: String,
    auth_base: String,
    authorize_url: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct TikTokAds {
    app_id: String,
    secret: String,
    api_base: String,
    authorize_url: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Amazon {
    lwa_client_id: String,
    lwa_client_secret: String,
    application_id: String,
    lwa_url: String,
    seller_central_url: String,
    api_url: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Shopify {
    api_key: String,
    api_secret: String,
    shop_url: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Sync {
    backfill_days: u32,
}

/// The written file; removed when dropped (the demo stopped, or failed to start).
#[derive(Debug)]
pub(super) struct Written {
    path: PathBuf,
}

impl Written {
    /// Where it was written.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Written {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Writes the sandbox settings of `config` (the demo's, already pointed at the sandbox).
///
/// # Errors
/// The data directory cannot be created or written.
pub(super) fn write(config: &Config) -> anyhow::Result<Written> {
    let settings = DemoSettings {
        tiktok: TikTok {
            app_key: config.channels.tiktok.app_key.clone(),
            app_secret: config.channels.tiktok.app_secret.expose().to_owned(),
            api_base: config.channels.tiktok.api_base.clone(),
            auth_base: config.channels.tiktok.auth_base.clone(),
            authorize_url: config.channels.tiktok.authorize_url.clone(),
        },
        tiktok_ads: TikTokAds {
            app_id: config.channels.tiktok_ads.app_id.clone(),
            secret: config.channels.tiktok_ads.secret.expose().to_owned(),
            api_base: config.channels.tiktok_ads.api_base.clone(),
            authorize_url: config.channels.tiktok_ads.authorize_url.clone(),
        },
        amazon: Some(Amazon {
            lwa_client_id: config.channels.amazon.lwa_client_id.clone(),
            lwa_client_secret: config.channels.amazon.lwa_client_secret.expose().to_owned(),
            application_id: config.channels.amazon.application_id.clone(),
            lwa_url: config.channels.amazon.lwa_url.clone(),
            seller_central_url: config.channels.amazon.seller_central_url.clone(),
            api_url: config.channels.amazon.api_url.clone(),
        }),
        shopify: Some(Shopify {
            api_key: config.channels.shopify.api_key.clone(),
            api_secret: config.channels.shopify.api_secret.expose().to_owned(),
            shop_url: config.channels.shopify.shop_url.clone(),
        }),
        sync: Sync {
            backfill_days: config.sync.backfill_days,
        },
    };
    let text = format!(
        "# Written by `pnl demo` while it runs (removed when it stops): the TikTok, Amazon and\n\
         # Shopify\n\
         # sandbox it started. Other pnl commands on this data directory use these settings\n\
         # where nothing else (pnl.toml, PNL_* variables) configures them.\n{}",
        toml::to_string(&settings)?
    );
    crate::owner_only::create_dir(&config.data_dir)
        .with_context(|| format!("cannot create {}", config.data_dir.display()))?;
    let path = config.data_dir.join(FILE);
    write_private(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(Written { path })
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    // `mode` applies only to a new file: a file left by an earlier run keeps its own.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// Fills `config`'s TikTok, Amazon and backfill settings that are still at their defaults from the
/// data directory's `demo.toml`, when there is one; returns its path then.
///
/// # Errors
/// A `demo.toml` that cannot be read or parsed.
pub(super) fn apply(config: &mut Config) -> anyhow::Result<Option<PathBuf>> {
    let path = config.data_dir.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error).with_context(|| format!("cannot read {}", path.display())),
    };
    let demo: DemoSettings =
        toml::from_str(&text).with_context(|| format!("{} is not valid", path.display()))?;
    let (shop, ads, sync) = (
        TikTokAppConfig::default(),
        TikTokAdsAppConfig::default(),
        SyncConfig::default(),
    );
    let fill = |value: &mut String, default: &str, demo: String| {
        if value == default {
            *value = demo;
        }
    };
    let app = &mut config.channels.tiktok;
    fill(&mut app.app_key, &shop.app_key, demo.tiktok.app_key);
    fill(&mut app.api_base, &shop.api_base, demo.tiktok.api_base);
    fill(&mut app.auth_base, &shop.auth_base, demo.tiktok.auth_base);
    fill(
        &mut app.authorize_url,
        &shop.authorize_url,
        demo.tiktok.authorize_url,
    );
    if app.app_secret.expose() == shop.app_secret.expose() {
        app.app_secret = Secret::new(demo.tiktok.app_secret);
    }
    let app = &mut config.channels.tiktok_ads;
    fill(&mut app.app_id, &ads.app_id, demo.tiktok_ads.app_id);
    fill(&mut app.api_base, &ads.api_base, demo.tiktok_ads.api_base);
    fill(
        &mut app.authorize_url,
        &ads.authorize_url,
        demo.tiktok_ads.authorize_url,
    );
    if app.secret.expose() == ads.secret.expose() {
        app.secret = Secret::new(demo.tiktok_ads.secret);
    }
    if let Some(demo) = demo.amazon {
        let defaults = AmazonAppConfig::default();
        let app = &mut config.channels.amazon;
        fill(
            &mut app.lwa_client_id,
            &defaults.lwa_client_id,
            demo.lwa_client_id,
        );
        fill(
            &mut app.application_id,
            &defaults.application_id,
            demo.application_id,
        );
        fill(&mut app.lwa_url, &defaults.lwa_url, demo.lwa_url);
        fill(
            &mut app.seller_central_url,
            &defaults.seller_central_url,
            demo.seller_central_url,
        );
        fill(&mut app.api_url, &defaults.api_url, demo.api_url);
        if app.lwa_client_secret.expose() == defaults.lwa_client_secret.expose() {
            app.lwa_client_secret = Secret::new(demo.lwa_client_secret);
        }
    }
    if let Some(demo) = demo.shopify {
        let defaults = ShopifyAppConfig::default();
        let app = &mut config.channels.shopify;
        fill(&mut app.api_key, &defaults.api_key, demo.api_key);
        fill(&mut app.shop_url, &defaults.shop_url, demo.shop_url);
        if app.api_secret.expose() == defaults.api_secret.expose() {
            app.api_secret = Secret::new(demo.api_secret);
        }
    }
    if config.sync.backfill_days == sync.backfill_days {
        config.sync.backfill_days = demo.sync.backfill_days;
    }
    Ok(Some(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_settings_fill_only_defaults_and_the_file_is_private_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mut demo = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        demo.channels.tiktok.app_key = "sandbox_app_key".to_owned();
        demo.channels.tiktok.app_secret = Secret::new("sandbox_app_secret");
        demo.channels.tiktok.api_base = "http://127.0.0.1:9".to_owned();
        demo.channels.amazon.lwa_client_id = "sandbox_lwa".to_owned();
        demo.channels.amazon.lwa_client_secret = Secret::new("sandbox_lwa_secret");
        demo.channels.amazon.api_url = "http://127.0.0.1:9".to_owned();
        demo.channels.amazon.lwa_url = "http://127.0.0.1:9".to_owned();
        demo.sync.backfill_days = 400;
        let written = write(&demo).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(written.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        let mut other = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        other.channels.tiktok.auth_base = "https://auth.example".to_owned();
        other.channels.amazon.lwa_url = "https://lwa.example".to_owned();
        assert!(apply(&mut other).unwrap().is_some());
        assert_eq!(other.channels.amazon.lwa_client_id, "sandbox_lwa");
        assert_eq!(
            other.channels.amazon.lwa_client_secret.expose(),
            "sandbox_lwa_secret"
        );
        assert_eq!(other.channels.amazon.api_url, "http://127.0.0.1:9");
        assert_eq!(other.channels.amazon.lwa_url, "https://lwa.example", "kept");
        assert_eq!(other.channels.tiktok.app_key, "sandbox_app_key");
        assert_eq!(
            other.channels.tiktok.app_secret.expose(),
            "sandbox_app_secret"
        );
        assert_eq!(other.channels.tiktok.api_base, "http://127.0.0.1:9");
        assert_eq!(
            other.channels.tiktok.auth_base, "https://auth.example",
            "kept"
        );
        assert_eq!(other.sync.backfill_days, 400);

        drop(written);
        let mut later = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        assert!(apply(&mut later).unwrap().is_none());
        assert!(later.channels.tiktok.app_key.is_empty());
        assert!(later.channels.amazon.lwa_client_id.is_empty());
    }
}
