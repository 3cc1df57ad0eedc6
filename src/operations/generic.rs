//! A signed call to any path with any JSON body, so that a new endpoint never blocks a
//! merchant. The body is taken as given (serialized once), signed and sent; the reply is
//! decoded tolerantly (`data` when present, else the whole object).

use super::reader::{JsonFields, Reader};
use super::{Base, Method, OperationKind, Request, ToRequest};
use crate::error::{Error, Result};
use serde_json::Value;

/// `{"method": "POST"|"GET", "path": "/new/endpoint", "body": {…}}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenericRequest {
    /// GET or POST (POST by default).
    pub method: Method,
    /// Path below the v2 base URL (`/accounts/list`), or below the host's API root when it
    /// starts with `/api/` (`/api/payments/v1/requests`).
    pub path: String,
    /// The JSON body (`{}` by default).
    pub body: Value,
}

impl GenericRequest {
    /// Reads `{"method"?, "path", "body"?}`.
    pub fn from_json<'a>(value: impl Into<JsonFields<'a>>) -> Result<GenericRequest> {
        let r = Reader::new(value.into());
        let method = r.string("method");
        let path = r.string("path");
        let body = r.any("body");
        r.finish()?;
        let method = match method.as_deref().map(str::to_ascii_uppercase).as_deref() {
            None | Some("POST") => Method::Post,
            Some("GET") => Method::Get,
            Some(other) => {
                return Err(Error::invalid(format!(
                    "method {other:?} is not GET or POST"
                )))
            }
        };
        Ok(GenericRequest {
            method,
            path: path.ok_or_else(|| Error::invalid("path is required"))?,
            body: body.unwrap_or_else(|| Value::Object(Default::default())),
        })
    }
}

impl ToRequest for GenericRequest {
    fn to_request(&self) -> Result<Request> {
        // A dot segment, also percent-encoded (servers may decode %2e before resolving).
        let dot_segment = |seg: &str| {
            let seg = seg.to_ascii_lowercase().replace("%2e", ".");
            seg == "." || seg == ".."
        };
        if !self.path.starts_with('/')
            || self.path.contains("://")
            || self
                .path
                .contains(|c: char| c.is_whitespace() || c.is_control())
            || self.path.split('/').any(dot_segment)
        {
            return Err(Error::invalid(format!(
                "path {:?} must start with / and stay below the base URL",
                self.path
            )));
        }
        // `/api/…` names a path below the host's API root (`/api/payments/v1/requests`);
        // any other path is below the v2 base.
        let (base, path) = match self.path.strip_prefix("/api/") {
            Some(rest) => (Base::Root, format!("/{rest}")),
            None => (Base::V2, self.path.clone()),
        };
        let mut req = Request::post(
            OperationKind::Generic,
            path,
            serde_json::to_vec(&self.body).expect("a JSON value serializes"),
        );
        req.method = self.method;
        req.base = base;
        Ok(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_below_the_base_url() {
        for bad in [
            "x",
            "/a\u{1}b",
            "/a\u{7f}",
            "/../x",
            "/%2e%2e/x",
            "/a/%2E/b",
            "/a b",
            "http://x/y",
        ] {
            let r = GenericRequest {
                method: Method::Post,
                path: bad.into(),
                body: Value::Object(Default::default()),
            };
            assert!(r.to_request().is_err(), "{bad:?} accepted");
        }
        let ok = GenericRequest {
            method: Method::Get,
            path: "/payments/v1/requests".into(),
            body: Value::Object(Default::default()),
        };
        assert_eq!(ok.to_request().unwrap().method, Method::Get);
    }
}
