//! A signed call to any path with any JSON body, so that a new endpoint never blocks a
//! merchant. The body is taken as given (serialized once), signed and sent; the reply is
//! decoded tolerantly (`data` when present, else the whole object).

use super::reader::Reader;
use super::{Method, OperationKind, Request, ToRequest};
use crate::error::{Error, Result};
use serde_json::Value;

/// `{"method": "POST"|"GET", "path": "/new/endpoint", "body": {…}}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenericRequest {
    /// GET or POST (POST by default).
    pub method: Method,
    /// Path below the base URL, e.g. `/payments/new`.
    pub path: String,
    /// The JSON body (`{}` by default).
    pub body: Value,
}

impl GenericRequest {
    /// Reads `{"method"?, "path", "body"?}`.
    pub fn from_json(value: &Value) -> Result<GenericRequest> {
        let r = Reader::new(value);
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
        if !self.path.starts_with('/')
            || self.path.contains("://")
            || self.path.contains(char::is_whitespace)
            || self.path.split('/').any(|seg| seg == "..")
        {
            return Err(Error::invalid(format!(
                "path {:?} must start with / and stay below the base URL",
                self.path
            )));
        }
        let mut req = Request::post(OperationKind::Generic, self.path.clone(), self.body.clone());
        req.method = self.method;
        Ok(req)
    }
}
