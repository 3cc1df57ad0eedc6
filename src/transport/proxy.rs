//! The HTTP proxy a client goes through: given explicitly (`http://[user:pass@]host:port`,
//! HTTPS through a CONNECT tunnel, TLS verified end to end), or read from the environment
//! only when the caller asks for it, by rules that a CGI request cannot bend: `HTTPS_PROXY`
//! for an https API, `HTTP_PROXY` for a plain-http one but never under CGI (where a request
//! header `Proxy:` becomes `HTTP_PROXY`, "httpoxy"), `NO_PROXY` honoured, and never for a
//! loopback host. Nothing else in the environment is read; ureq's own reading of
//! `ALL_PROXY`/`HTTPS_PROXY`/`HTTP_PROXY` is turned off. Proxy credentials never appear in
//! messages or Debug output.

use crate::environment::{host_of, is_loopback};
use crate::error::{Error, Result};
use std::fmt;

/// A validated proxy URL. Debug shows the host and port only.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    url: String,
    host_port: String,
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProxyUrl(http://{})", self.host_port)
    }
}

impl ProxyUrl {
    /// Checks `http://[user:pass@]host:port` (the scheme in any case; a trailing `/`
    /// allowed). The message of a refusal never repeats the credentials.
    pub fn parse(url: &str) -> Result<ProxyUrl> {
        let refuse = |why: &str| Error::invalid(format!("proxy URL {why}"));
        if url.bytes().any(|b| !(0x21..0x7f).contains(&b)) {
            return Err(refuse(
                "must be printable ASCII without spaces or line breaks",
            ));
        }
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some(_) => {
                return Err(refuse(
                    "must start with http:// (HTTPS goes through a CONNECT tunnel)",
                ))
            }
            None => return Err(refuse("must start with http://")),
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#']) {
            return Err(refuse("must be http://[user:pass@]host:port with no path"));
        }
        let host_port = rest.rsplit('@').next().unwrap_or(rest);
        let Some((host, port)) = host_port.rsplit_once(':') else {
            return Err(refuse("needs a host and a port"));
        };
        if host.is_empty() || port.parse::<u16>().map_or(true, |p| p == 0) {
            return Err(refuse("needs a host and a port from 1 to 65535"));
        }
        Ok(ProxyUrl {
            url: format!("http://{rest}"),
            host_port: host_port.to_string(),
        })
    }

    /// The URL for the HTTP agent (with the credentials: never show it).
    pub(crate) fn as_agent_url(&self) -> &str {
        &self.url
    }

    /// The proxy the environment names for `base_url`, by the rules of the module; `None`
    /// when it names none or the host is exempt. `get` reads a variable (the process
    /// environment in production, a map in tests).
    pub fn from_environment(
        base_url: &str,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<ProxyUrl>> {
        let Some((scheme, rest)) = base_url.split_once("://") else {
            return Ok(None);
        };
        let host = host_of(rest);
        if is_loopback(host) {
            return Ok(None);
        }
        let var = |names: [&str; 2]| names.iter().find_map(|n| get(n).filter(|v| !v.is_empty()));
        let value = if scheme.eq_ignore_ascii_case("https") {
            var(["HTTPS_PROXY", "https_proxy"])
        } else if get("REQUEST_METHOD").is_some() {
            None // CGI: HTTP_PROXY may come from the request's `Proxy:` header
        } else {
            var(["HTTP_PROXY", "http_proxy"])
        };
        let Some(value) = value else {
            return Ok(None);
        };
        if let Some(no_proxy) = var(["NO_PROXY", "no_proxy"]) {
            if exempt(host, &no_proxy) {
                return Ok(None);
            }
        }
        let value = if value.contains("://") {
            value
        } else {
            format!("http://{value}")
        };
        ProxyUrl::parse(&value).map(Some)
    }
}

/// Whether `NO_PROXY` (comma-separated: `*`, `host`, `.domain`, `domain` matching its
/// subdomains too; ports ignored) exempts `host`.
fn exempt(host: &str, no_proxy: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    no_proxy.split(',').map(str::trim).any(|entry| {
        let entry = entry
            .split(':')
            .next()
            .unwrap_or(entry)
            .to_ascii_lowercase();
        let entry = entry.trim_start_matches("*.");
        entry == "*"
            || (!entry.is_empty()
                && (host == entry.trim_start_matches('.')
                    || host.ends_with(&format!(".{}", entry.trim_start_matches('.')))))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn parses_and_redacts() {
        let p = ProxyUrl::parse("HTTP://user:secret@proxy.example:3128/").unwrap();
        assert_eq!(p.as_agent_url(), "http://user:secret@proxy.example:3128");
        assert!(!format!("{p:?}").contains("secret"));
        assert!(ProxyUrl::parse("http://127.0.0.1:8888").is_ok());
        for bad in [
            "https://p:1",
            "p:1",
            "http://p",
            "http://p:0",
            "http://p:99999",
            "http://p:1/path",
            "http://u:pw@p:1\r\nX: y",
            "http://p :1",
            "http://:1",
        ] {
            let e = ProxyUrl::parse(bad).unwrap_err();
            assert!(!e.message().contains("pw"), "{bad}: {}", e.message());
        }
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn the_environment_by_the_rules() {
        let api = "https://app.alphapo.net/api/v2";
        let got = |base: &str, pairs: &[(&str, &str)]| {
            ProxyUrl::from_environment(base, env(pairs))
                .unwrap()
                .map(|p| p.host_port)
        };
        assert_eq!(got(api, &[("HTTPS_PROXY", "p:1")]).as_deref(), Some("p:1"));
        assert_eq!(
            got(api, &[("https_proxy", "http://p:2")]).as_deref(),
            Some("p:2")
        );
        assert_eq!(
            got(api, &[("HTTP_PROXY", "p:1"), ("ALL_PROXY", "p:1")]),
            None
        );
        assert_eq!(
            got(api, &[("HTTPS_PROXY", "p:1"), ("NO_PROXY", "alphapo.net")]),
            None
        );
        assert_eq!(
            got(api, &[("HTTPS_PROXY", "p:1"), ("NO_PROXY", ".alphapo.net")]),
            None
        );
        assert_eq!(got(api, &[("HTTPS_PROXY", "p:1"), ("NO_PROXY", "*")]), None);
        assert_eq!(
            got(api, &[("HTTPS_PROXY", "p:1"), ("NO_PROXY", "other.net")]).as_deref(),
            Some("p:1")
        );
        let local = "http://127.0.0.1:8080/api/v2";
        assert_eq!(
            got(local, &[("HTTP_PROXY", "p:1"), ("HTTPS_PROXY", "p:1")]),
            None
        );
        assert_eq!(
            got("https://localhost:1/api/v2", &[("HTTPS_PROXY", "p:1")]),
            None
        );
        let plain = "http://api.internal:8080/api/v2";
        assert_eq!(got(plain, &[("HTTP_PROXY", "p:1")]).as_deref(), Some("p:1"));
        assert_eq!(
            got(plain, &[("HTTP_PROXY", "p:1"), ("REQUEST_METHOD", "POST")]),
            None,
            "httpoxy: never HTTP_PROXY under CGI"
        );
    }
}
