//! `--tls`: a fresh self-signed certificate for localhost / 127.0.0.1 / ::1, written as PEM so
//! clients can trust it, and the rustls server configuration that uses it.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

pub fn server_config(cert_out: &Path) -> Result<Arc<rustls::ServerConfig>, String> {
    let names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    let certified =
        rcgen::generate_simple_self_signed(names).map_err(|e| format!("certificate: {e}"))?;
    std::fs::write(cert_out, certified.cert.pem())
        .map_err(|e| format!("cannot write {}: {e}", cert_out.display()))?;
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
    Ok(Arc::new(config))
}
