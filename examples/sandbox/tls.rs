//! `--tls`: a fresh self-signed certificate for localhost / 127.0.0.1 / ::1, written as PEM so
//! clients can trust it, and the rustls server configuration that uses it.
//!
//! The PEM goes only into a file the sandbox creates itself (`create_new`, mode 0600): at
//! `--cert-out`, which must not exist yet (an existing file or symlink is refused, never
//! overwritten or followed), or in a fresh private directory (mode 0700, unpredictable name)
//! under the temp dir, removed again at a clean shutdown.

use std::collections::hash_map::RandomState;
use std::fs::{DirBuilder, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::{ErrorKind, Write};
#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// Where the certificate was written.
pub struct CertFile {
    pub path: PathBuf,
    /// The private directory made for it, when `--cert-out` was not given.
    dir: Option<PathBuf>,
}

impl CertFile {
    /// Removes the file and its private directory; a `--cert-out` file stays.
    pub fn remove_if_temporary(&self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_file(&self.path);
            let _ = std::fs::remove_dir(dir);
        }
    }
}

pub fn server_config(
    cert_out: Option<&Path>,
) -> Result<(Arc<rustls::ServerConfig>, CertFile), String> {
    let names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    let certified =
        rcgen::generate_simple_self_signed(names).map_err(|e| format!("certificate: {e}"))?;
    let file = match cert_out {
        Some(p) => CertFile {
            path: p.to_path_buf(),
            dir: None,
        },
        None => {
            let dir = private_dir()?;
            CertFile {
                path: dir.join("sandbox-cert.pem"),
                dir: Some(dir),
            }
        }
    };
    if let Err(e) = write_new(&file.path, certified.cert.pem().as_bytes()) {
        file.remove_if_temporary();
        return Err(e);
    }
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS versions: {e}"))?
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .map_err(|e| format!("TLS key: {e}"))?;
    Ok((Arc::new(config), file))
}

/// Creates `path` (it must not exist, not even as a symlink), mode 0600, and writes `bytes`.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut f = options.open(path).map_err(|e| {
        if e.kind() == ErrorKind::AlreadyExists {
            format!(
                "{} already exists; the certificate is written only to a new file",
                path.display()
            )
        } else {
            format!("cannot create {}: {e}", path.display())
        }
    })?;
    f.write_all(bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A new directory only we can enter, with an unpredictable name, under the temp dir.
fn private_dir() -> Result<PathBuf, String> {
    let base = std::env::temp_dir();
    for _ in 0..16 {
        let mut h = RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        let dir = base.join(format!("alphapo-sandbox-{:016x}", h.finish()));
        let mut builder = DirBuilder::new();
        #[cfg(unix)]
        builder.mode(0o700);
        match builder.create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(format!(
                    "cannot create a directory in {}: {e}",
                    base.display()
                ))
            }
        }
    }
    Err(format!(
        "cannot create a fresh directory in {}",
        base.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_certificate_goes_only_into_a_new_file() {
        let dir = private_dir().unwrap();
        let other = private_dir().unwrap();
        assert_ne!(dir, other);
        #[cfg(unix)]
        assert_eq!(
            std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
        let path = dir.join("c.pem");
        write_new(&path, b"one").unwrap();
        #[cfg(unix)]
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let e = write_new(&path, b"two").unwrap_err();
        assert!(e.contains("already exists"), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        #[cfg(unix)]
        {
            let target = dir.join("target");
            std::fs::write(&target, b"keep").unwrap();
            let link = dir.join("link.pem");
            std::os::unix::fs::symlink(&target, &link).unwrap();
            assert!(write_new(&link, b"evil").is_err());
            let dangling = dir.join("dangling.pem");
            std::os::unix::fs::symlink(dir.join("nowhere"), &dangling).unwrap();
            assert!(write_new(&dangling, b"evil").is_err());
            assert!(!dir.join("nowhere").exists());
            assert_eq!(std::fs::read(&target).unwrap(), b"keep");
            for p in [&target, &link, &dangling] {
                std::fs::remove_file(p).unwrap();
            }
        }
        std::fs::remove_file(&path).unwrap();
        std::fs::remove_dir(&dir).unwrap();
        std::fs::remove_dir(&other).unwrap();
    }
}
