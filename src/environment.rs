//! Where requests go: the brands' production and sandbox hosts, or any base URL.
//!
//! All brands share one API (spec §0). A custom base URL must be `https://`, except on a
//! loopback host (the local sandbox) or when plain HTTP is allowed explicitly.

use crate::error::{Error, Result};

/// A known API host, or a custom base URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Environment {
    /// AlphaPo production, `https://app.alphapo.net/api/v2` (the default).
    AlphaPo,
    /// CryptoProcessing production, `https://app.cryptoprocessing.com/api/v2`.
    CryptoProcessing,
    /// CryptoProcessing sandbox, `https://app.sandbox.cryptoprocessing.com/api/v2`.
    CryptoProcessingSandbox,
    /// CryptoProcessing Lithuania, `https://app.lt.cryptoprocessing.com/api/v2`.
    CryptoProcessingLt,
    /// CoinsPaid legacy host, `https://app.coinspaid.com/api/v2`.
    CoinsPaid,
    /// Any base URL including the `/api/v2` prefix, e.g. the local sandbox.
    Custom(String),
}

impl Environment {
    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        match self {
            Environment::AlphaPo => "https://app.alphapo.net/api/v2",
            Environment::CryptoProcessing => "https://app.cryptoprocessing.com/api/v2",
            Environment::CryptoProcessingSandbox => {
                "https://app.sandbox.cryptoprocessing.com/api/v2"
            }
            Environment::CryptoProcessingLt => "https://app.lt.cryptoprocessing.com/api/v2",
            Environment::CoinsPaid => "https://app.coinspaid.com/api/v2",
            Environment::Custom(url) => url,
        }
    }

    /// A custom base URL, checked: `http(s)://host[:port][/path]`, no query or fragment,
    /// plain `http` only for a loopback host unless `allow_http` is set.
    pub fn custom(url: &str, allow_http: bool) -> Result<Environment> {
        if url.bytes().any(|b| !(0x21..0x7f).contains(&b)) {
            return Err(Error::invalid(format!(
                "base URL {:?} must be printable ASCII without spaces or control characters",
                url.escape_debug().to_string()
            )));
        }
        let trimmed = url.trim_end_matches('/');
        let (scheme, rest) = trimmed
            .split_once("://")
            .ok_or_else(|| Error::invalid(format!("base URL {url:?} has no scheme")))?;
        let host = host_of(rest);
        if host.is_empty() {
            return Err(Error::invalid(format!("base URL {url:?} has no host")));
        }
        if rest.contains(['?', '#', ' ']) {
            return Err(Error::invalid(format!(
                "base URL {url:?} must not contain a query, a fragment or spaces"
            )));
        }
        // The scheme is case-insensitive (`HTTPS://` is https); it is written lower-case.
        let scheme = scheme.to_ascii_lowercase();
        match scheme.as_str() {
            "https" => {}
            "http" if allow_http || is_loopback(host) => {}
            "http" => {
                return Err(Error::invalid(format!(
                    "base URL {url:?} uses plain http on a non-loopback host; use https, or allow insecure http explicitly"
                )))
            }
            _ => {
                return Err(Error::invalid(format!(
                    "base URL {url:?} must start with https://"
                )))
            }
        }
        Ok(Environment::Custom(format!("{scheme}://{rest}")))
    }
}

/// The host part of `host[:port][/path]` (brackets kept for IPv6).
/// Where the payments API sits below a host's API root (`https://host/api`).
pub(crate) const PAYMENTS_BELOW_ROOT: &str = "/payments/v1";

/// The three bases of one host: the v2 API, the payments API and the API root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Bases {
    pub(crate) v2: String,
    pub(crate) payments: String,
    pub(crate) root: String,
}

impl Bases {
    /// The bases implied by a v2 base URL: the root is the v2 base without its trailing
    /// `/v2` (`https://host/api/v2` → `https://host/api`), or the host's `/api` when the
    /// base does not end in `/v2`; payments are `<root>/payments/v1`, unless given.
    pub(crate) fn new(v2: &str, payments: Option<&str>) -> Bases {
        let v2 = v2.trim_end_matches('/').to_string();
        let root = match v2.strip_suffix("/v2") {
            Some(root) => root.to_string(),
            None => {
                let (scheme, rest) = v2.split_once("://").unwrap_or(("https", v2.as_str()));
                let authority = rest.split('/').next().unwrap_or(rest);
                format!("{scheme}://{authority}/api")
            }
        };
        let payments = payments
            .map(|p| p.trim_end_matches('/').to_string())
            .unwrap_or_else(|| format!("{root}{PAYMENTS_BELOW_ROOT}"));
        Bases { v2, payments, root }
    }

    /// The base URL for requests below `base`.
    pub(crate) fn get(&self, base: crate::operations::Base) -> &str {
        match base {
            crate::operations::Base::V2 => &self.v2,
            crate::operations::Base::Payments => &self.payments,
            crate::operations::Base::Root => &self.root,
        }
    }
}

pub(crate) fn host_of(rest: &str) -> &str {
    let authority = rest.split('/').next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    if authority.starts_with('[') {
        match authority.find(']') {
            Some(end) => &authority[..=end],
            None => authority,
        }
    } else {
        authority.split(':').next().unwrap_or(authority)
    }
}

/// Whether a host names the loopback interface.
pub(crate) fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_base_follows_the_v2_base() {
        let b = Bases::new(Environment::CryptoProcessing.base_url(), None);
        assert_eq!(b.root, "https://app.cryptoprocessing.com/api");
        assert_eq!(
            b.payments,
            "https://app.cryptoprocessing.com/api/payments/v1"
        );
        let local = Bases::new("http://127.0.0.1:8080/api/v2/", None);
        assert_eq!(local.v2, "http://127.0.0.1:8080/api/v2");
        assert_eq!(local.payments, "http://127.0.0.1:8080/api/payments/v1");
        let odd = Bases::new(
            "https://gw.example.com/alphapo",
            Some("https://pay.example.com/v1/"),
        );
        assert_eq!(odd.root, "https://gw.example.com/api");
        assert_eq!(odd.payments, "https://pay.example.com/v1");
    }

    #[test]
    fn known_hosts() {
        assert_eq!(
            Environment::AlphaPo.base_url(),
            "https://app.alphapo.net/api/v2"
        );
        assert_eq!(
            Environment::CryptoProcessingSandbox.base_url(),
            "https://app.sandbox.cryptoprocessing.com/api/v2"
        );
    }

    #[test]
    fn custom_urls() {
        assert!(Environment::custom("https://api.example.com/api/v2/", false).is_ok());
        assert_eq!(
            Environment::custom("http://127.0.0.1:8080/api/v2/", false)
                .unwrap()
                .base_url(),
            "http://127.0.0.1:8080/api/v2"
        );
        assert!(Environment::custom("http://localhost:1/api/v2", false).is_ok());
        for bad in [
            "https://a.example/api/v2\r\n",
            "https://a.example/api\u{7}/v2",
            "https://a b/api/v2",
        ] {
            assert!(Environment::custom(bad, false).is_err(), "{bad:?}");
        }
        assert_eq!(
            Environment::custom("HTTPS://api.example.com/api/v2", false)
                .unwrap()
                .base_url(),
            "https://api.example.com/api/v2"
        );
        assert!(Environment::custom("http://[::1]:1/api/v2", false).is_ok());
        assert!(Environment::custom("http://example.com/api/v2", false).is_err());
        assert!(Environment::custom("http://example.com/api/v2", true).is_ok());
        assert!(Environment::custom("ftp://example.com", true).is_err());
        assert!(Environment::custom("example.com", true).is_err());
        assert!(Environment::custom("https://", true).is_err());
        assert!(Environment::custom("https://a.com/x?y=1", true).is_err());
    }
}
