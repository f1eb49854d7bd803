//! [`DownHost`]: a channel host that is down. It accepts each connection, reads the request and
//! hangs up without answering, so the client fails while sending: the failure whose error text
//! carries the full request URL in HTTP clients such as reqwest. Paths given a canned answer
//! get it instead (HTTP 200, JSON), so one step of a flow can succeed and the next one fail.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::sandbox::lock;

/// A host on loopback that hangs up on every request but the canned ones.
#[derive(Debug)]
pub struct DownHost {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl DownHost {
    /// Starts the host on `127.0.0.1` with a free port; `answers` maps a path (no query) to the
    /// JSON body it is answered with.
    ///
    /// # Errors
    /// The port cannot be bound.
    pub async fn start(answers: &[(&str, String)]) -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        let answers: Arc<Vec<(String, String)>> = Arc::new(
            answers
                .iter()
                .map(|(path, body)| ((*path).to_owned(), body.clone()))
                .collect(),
        );
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (answers, seen) = (Arc::clone(&answers), Arc::clone(&seen));
                tokio::spawn(async move {
                    let _ = serve(stream, &answers, &seen).await;
                });
            }
        });
        Ok(Self {
            addr,
            requests,
            task,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `METHOD /path` (query dropped) of every request read so far, in order.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.requests).clone()
    }
}

impl Drop for DownHost {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one request (head and `content-length` body); answers it when canned, else drops the
/// connection unanswered.
async fn serve(
    stream: TcpStream,
    answers: &[(String, String)],
    seen: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).await?;
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default();
    let path = parts
        .next()
        .unwrap_or_default()
        .split('?')
        .next()
        .unwrap_or_default();
    lock(seen).push(format!("{method} {path}"));
    let Some((_, answer)) = answers.iter().find(|(canned, _)| canned == path) else {
        return Ok(()); // hang up
    };
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{answer}",
        answer.len()
    );
    let mut stream = reader.into_inner();
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}
