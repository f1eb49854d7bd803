//! Browser tests of the dashboard: headless Chromium driven over WebDriver (`fantoccini` and
//! Debian's `chromium-driver`) against the real server on a random port.
//!
//! Without chromium or chromedriver the tests say so and pass, except under `CI=true`, where a
//! missing browser fails them. Every wait has a deadline, so a test cannot hang; screenshots go
//! to `target/screenshots/`.

mod edits;
mod live;
pub mod pages;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tokio::process::{Child, Command};

/// How long any one wait may take.
pub const WAIT: Duration = Duration::from_secs(20);

fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// The chromium and chromedriver binaries (`CHROME` and `CHROMEDRIVER` override the search), or
/// `None` when this machine has no browser and is not CI; panics in CI without one.
fn browser_binaries() -> Option<(PathBuf, PathBuf)> {
    let chrome = std::env::var_os("CHROME")
        .map(PathBuf::from)
        .or_else(|| which(&["chromium", "chromium-browser", "google-chrome"]));
    let driver = std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .or_else(|| which(&["chromedriver"]));
    match (chrome, driver) {
        (Some(chrome), Some(driver)) => Some((chrome, driver)),
        (chrome, driver) => {
            let missing = format!(
                "chromium {} and chromedriver {}",
                if chrome.is_some() { "found" } else { "missing" },
                if driver.is_some() { "found" } else { "missing" }
            );
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "browser tests need headless Chromium in CI: {missing} (apt-get install chromium chromium-driver; .ci/run does)"
            );
            // Past the test harness's capture, so that the skip shows in a passing run.
            let notice = format!(
                "SKIPPED browser test: {missing}; apt-get install chromium chromium-driver to run it\n"
            );
            let _ = std::io::Write::write_all(&mut std::io::stderr(), notice.as_bytes());
            None
        }
    }
}

/// One browser at a time: Chromium is heavy, and the suite runs its tests in parallel.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A headless Chromium session; its chromedriver and Chromium are killed when this is dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium at laptop size, or `None` (test skipped)
    /// when this machine has none.
    pub async fn start() -> Option<Self> {
        let (chrome, driver) = browser_binaries()?;
        let turn = tokio::time::timeout(WAIT * 30, ONE_AT_A_TIME.lock())
            .await
            .expect("another browser test held the browser for 10 minutes");
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, which its Chromium joins: see `Drop`.
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": chrome,
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         "--window-size=1366,900", "--hide-scrollbars", "--force-device-scale-factor=1"],
            },
            "timeouts": { "pageLoad": 20_000, "script": 20_000, "implicit": 0 },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + WAIT;
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(error) if Instant::now() < deadline => {
                    let _ = error;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => {
                    panic!("chromedriver did not start a session within {WAIT:?}: {error}")
                }
            }
        };
        Some(Self {
            client,
            driver,
            _turn: turn,
        })
    }

    /// Opens `url` and waits until the page has loaded.
    pub async fn goto(&self, url: &str) {
        tokio::time::timeout(WAIT, self.client.goto(url))
            .await
            .expect("page load timed out")
            .unwrap();
    }

    /// Waits for an element matching `css`.
    pub async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(error) => {
                let page = self
                    .run(
                        "return document.body ? document.body.innerText : ''",
                        vec![],
                    )
                    .await;
                panic!("no {css} within {WAIT:?} ({error}); the page says: {page}")
            }
        }
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its value.
    pub async fn run(&self, script: &str, args: Vec<Value>) -> Value {
        tokio::time::timeout(WAIT, self.client.execute(script, args))
            .await
            .expect("script timed out")
            .unwrap()
    }

    /// Polls `script` until it returns something truthy; panics naming `what` at the deadline.
    pub async fn until(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let value = self.run(script, vec![]).await;
            if !(value.is_null() || value == json!(false) || value == json!("")) {
                return value;
            }
            assert!(Instant::now() < deadline, "{what}: not within {WAIT:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Resizes the window (CSS pixels at scale 1).
    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
    }

    /// Saves a PNG of the viewport as `target/screenshots/{name}.png`; returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = tokio::time::timeout(WAIT, self.client.screenshot())
            .await
            .expect("screenshot timed out")
            .unwrap();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Ends the session.
    pub async fn close(self) {
        let _ = tokio::time::timeout(WAIT, self.client.clone().close()).await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Killing chromedriver alone (a test that panics before `close`) would leave its
        // Chromium running: end the whole process group it leads.
        if let Some(pid) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}
