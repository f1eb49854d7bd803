//! Secrets the server generates for itself on first start and keeps in the data directory.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use base64::Engine;

/// Reads the secret kept in `dir/name`, or generates 256 random bits, writes them there
/// (owner-only permissions) and logs a warning naming `env_var` as the way to set it explicitly.
///
/// # Errors
/// When the file cannot be read or written.
pub fn load_or_generate(dir: &Path, name: &str, env_var: &str) -> anyhow::Result<String> {
    let path = dir.join(name);
    if path.exists() {
        let text = fs::read_to_string(&path)
            .with_context(|| format!("cannot read the secret in {}", path.display()))?;
        let text = text.trim();
        anyhow::ensure!(
            text.len() >= 32,
            "the secret in {} is too short",
            path.display()
        );
        return Ok(text.to_owned());
    }
    crate::owner_only::create_dir(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let secret =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&path)
        .with_context(|| format!("cannot create the secret file {}", path.display()))?;
    file.write_all(secret.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write the secret file {}", path.display()))?;
    tracing::warn!(
        path = %path.display(),
        "{env_var} is not set: generated a new secret and stored it in the data directory; \
         set {env_var} (or keep this file safe and shared between replicas)"
    );
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_is_kept_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_generate(dir.path(), "jwt-secret", "PNL_JWT_SECRET").unwrap();
        let second = load_or_generate(dir.path(), "jwt-secret", "PNL_JWT_SECRET").unwrap();
        assert_eq!(first, second);
        assert!(first.len() >= 43, "256 bits in base64");
    }
}
