//! The client: credentials + transport + retry policy.
//!
//! [`Client::prepare`] validates a request, serializes it once and signs exactly those
//! bytes, without any network access: method, URL, body and the three headers, for shops
//! that keep their own HTTP client. [`Client::execute`] sends the prepared bytes, retries
//! what is safe to retry, and decodes the reply.
//!
//! A client is `Send + Sync`: one handle serves many threads and shares one connection pool.

use crate::environment::{Bases, Environment};
use crate::error::{Error, Result};
use crate::operations::{
    Address, CancelInvoice, CurrenciesList, Exchange, ExchangeCalculate, ExchangeFixed,
    ExchangeNow, GenericRequest, Invoice, InvoiceRequest, Method, OperationKind, PairsQuery,
    PaymentRequest, PaymentRequestCreate, RatesQuery, Request, Response, TakeAddress, ToRequest,
    Transaction, TransactionLookup, Withdrawal, WithdrawalRequest,
};
use crate::reply::decode_reply;
use crate::retry::Attempts;
use crate::signature::Signer;
use crate::transport::proxy::ProxyUrl;
use crate::transport::{
    Failure, Transport, TransportConfig, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
};
use std::fmt;
use std::time::Duration;

/// The library version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
pub use crate::retry::RETRY_AFTER_CAP;

/// A request ready to be sent by any HTTP client: send exactly these bytes and headers.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// Which operation.
    pub kind: OperationKind,
    /// GET or POST.
    pub method: Method,
    /// The full URL.
    pub url: String,
    /// The exact body; the signature covers these bytes.
    pub body: Vec<u8>,
    /// `X-Processing-Key`, `X-Processing-Signature`, `Content-Type: application/json`
    /// (only the key for an unsigned ping).
    pub headers: Vec<(String, String)>,
}

impl PreparedRequest {
    /// The value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                if k.eq_ignore_ascii_case("X-Processing-Signature") {
                    (k.clone(), format!("{}…", &v[..v.len().min(8)]))
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect();
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("body_len", &self.body.len())
            .field("headers", &headers)
            .finish()
    }
}

/// Builds a [`Client`].
pub struct ClientBuilder {
    api_key: String,
    signer: Signer,
    environment: Environment,
    base_url: Option<(String, bool)>,
    payments_base_url: Option<(String, bool)>,
    connect_timeout: Duration,
    timeout: Duration,
    app_info: Option<String>,
    ca_pem: Option<Vec<u8>>,
    max_retries: u32,
    max_response_bytes: u64,
    proxy: Option<String>,
    proxy_from_environment: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("environment", &self.environment)
            .field("base_url", &self.base_url)
            .field("secret", &"<redacted>")
            .finish()
    }
}

fn check_header_value(what: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(format!("{what} must not be empty")));
    }
    if value.bytes().any(|b| !(0x20..0x7f).contains(&b)) {
        return Err(Error::invalid(format!(
            "{what} must be printable ASCII (no control characters or line breaks)"
        )));
    }
    Ok(())
}

impl ClientBuilder {
    /// The API key (`X-Processing-Key`) and the secret that signs requests.
    pub fn new(api_key: &str, secret: &[u8]) -> ClientBuilder {
        ClientBuilder {
            api_key: api_key.to_string(),
            signer: Signer::new(secret),
            environment: Environment::AlphaPo,
            base_url: None,
            payments_base_url: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            app_info: None,
            ca_pem: None,
            max_retries: DEFAULT_MAX_RETRIES,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            proxy: None,
            proxy_from_environment: false,
        }
    }

    /// A known host (default: AlphaPo production).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// A custom base URL including `/api/v2` (overrides the environment). Plain `http://`
    /// is refused for a non-loopback host unless `allow_insecure_http` is set.
    pub fn base_url(mut self, url: &str, allow_insecure_http: bool) -> Self {
        self.base_url = Some((url.to_string(), allow_insecure_http));
        self
    }

    /// The payments API's base URL (payment requests), when it is not the one implied by
    /// the v2 base (`<host>/api/payments/v1`). Checked like [`ClientBuilder::base_url`].
    pub fn payments_base_url(mut self, url: &str, allow_insecure_http: bool) -> Self {
        self.payments_base_url = Some((url.to_string(), allow_insecure_http));
        self
    }

    /// Connect timeout (default 10 s). Must be non-zero.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Timeout for sending a request and receiving its whole reply (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Appended to the User-Agent, e.g. `"MyShop/1.4 (+https://shop.example.com)"`.
    pub fn app_info(mut self, info: &str) -> Self {
        self.app_info = Some(info.to_string());
        self
    }

    /// Trust exactly the certificates of this PEM data instead of the built-in roots.
    pub fn ca_pem(mut self, pem: Vec<u8>) -> Self {
        self.ca_pem = Some(pem);
        self
    }

    /// Trust exactly the certificates of this PEM file instead of the built-in roots.
    pub fn ca_file(self, path: &std::path::Path) -> Result<Self> {
        let pem = std::fs::read(path)
            .map_err(|e| Error::invalid(format!("cannot read CA file {}: {e}", path.display())))?;
        Ok(self.ca_pem(pem))
    }

    /// Retries after the first attempt (default 2; 0 turns retries off).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Largest reply body accepted (default 8 MiB).
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Go through an HTTP proxy, `http://[user:pass@]host:port` (HTTPS through a CONNECT
    /// tunnel, TLS verified end to end); `None` goes direct (the default). Checked by
    /// [`ClientBuilder::build`]; the credentials never appear in messages or Debug output.
    pub fn proxy(mut self, url: Option<&str>) -> Self {
        self.proxy = url.map(str::to_string);
        self
    }

    /// Read the proxy from the environment when none is given (off by default: the library
    /// reads no environment unless asked): `HTTPS_PROXY` for an https API, `HTTP_PROXY` for
    /// a plain-http one but never under CGI (`REQUEST_METHOD` set), `NO_PROXY` honoured,
    /// never for a loopback host. Read once, by [`ClientBuilder::build`].
    pub fn proxy_from_environment(mut self, yes: bool) -> Self {
        self.proxy_from_environment = yes;
        self
    }

    /// Checks the settings and builds the client (no network access).
    pub fn build(self) -> Result<Client> {
        check_header_value("api key", &self.api_key)?;
        if self.connect_timeout.is_zero() || self.timeout.is_zero() {
            return Err(Error::invalid("timeouts must be greater than zero"));
        }
        if self.max_retries > 10 {
            return Err(Error::invalid("max_retries must be at most 10"));
        }
        let environment = match &self.base_url {
            Some((url, allow_http)) => Environment::custom(url, *allow_http)?,
            None => self.environment,
        };
        let payments = match &self.payments_base_url {
            Some((url, allow_http)) => Some(Environment::custom(url, *allow_http)?),
            None => None,
        };
        let bases = Bases::new(
            environment.base_url(),
            payments.as_ref().map(Environment::base_url),
        );
        let mut user_agent = format!("libalphapo/{VERSION} (rust)");
        if let Some(info) = &self.app_info {
            check_header_value("app info", info)?;
            if info.len() > 200 {
                return Err(Error::invalid("app info must be at most 200 characters"));
            }
            user_agent.push(' ');
            user_agent.push_str(info);
        }
        let proxy = match &self.proxy {
            Some(url) => Some(ProxyUrl::parse(url)?),
            None if self.proxy_from_environment => {
                ProxyUrl::from_environment(environment.base_url(), |k| std::env::var(k).ok())?
            }
            None => None,
        };
        let transport = Transport::new(&TransportConfig {
            connect_timeout: self.connect_timeout,
            timeout: self.timeout,
            user_agent: user_agent.clone(),
            ca_pem: self.ca_pem,
            max_response_bytes: self.max_response_bytes,
            proxy,
        })?;
        Ok(Client {
            api_key: self.api_key,
            signer: self.signer,
            bases,
            transport,
            user_agent,
            max_retries: self.max_retries,
        })
    }
}

/// Credentials, a connection pool and a retry policy. `Send + Sync`.
pub struct Client {
    api_key: String,
    signer: Signer,
    bases: Bases,
    transport: Transport,
    user_agent: String,
    max_retries: u32,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.bases.v2)
            .field("user_agent", &self.user_agent)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl Client {
    /// A builder for the API key and secret.
    pub fn builder(api_key: &str, secret: &[u8]) -> ClientBuilder {
        ClientBuilder::new(api_key, secret)
    }

    /// The base URL v2 requests go to.
    pub fn base_url(&self) -> &str {
        &self.bases.v2
    }

    /// The User-Agent sent.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// The signer keyed with this client's secret.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// Validates, serializes once and signs: everything needed to send the request with
    /// any HTTP client. No network access.
    pub fn prepare(&self, request: &impl ToRequest) -> Result<PreparedRequest> {
        let request = request.to_request()?;
        Ok(self.sign_request(request))
    }

    /// Signs a request already validated and serialized (no copy of it is made).
    pub(crate) fn sign_request(&self, request: Request) -> PreparedRequest {
        let base = self.bases.get(request.base);
        let mut url = String::with_capacity(base.len() + request.path.len());
        url.push_str(base);
        url.push_str(&request.path);
        let mut headers = Vec::with_capacity(3);
        headers.push(("X-Processing-Key".to_string(), self.api_key.clone()));
        if !(request.kind == OperationKind::Ping && request.body.is_empty()) {
            let signature = self.signer.sign(&request.body);
            headers.push(("X-Processing-Signature".to_string(), signature));
            headers.push(("Content-Type".to_string(), "application/json".to_string()));
        }
        PreparedRequest {
            kind: request.kind,
            method: request.method,
            url,
            body: request.body,
            headers,
        }
    }

    /// Sends a prepared request (the same bytes on every attempt) and decodes the reply.
    ///
    /// Retries follow the operation's [`RetryClass`](crate::operations::RetryClass) (up to
    /// `max_retries`, exponential backoff with jitter): any call whose connection was never
    /// established; any call after a 429 whose `Retry-After` is at most 10 s; read-only
    /// and guarded (`invoices/create`) calls after a timeout, a dropped connection or a 5xx.
    /// An unguarded money-moving call (withdrawal, exchange, cancel, address take, generic)
    /// is never re-sent once it may have reached the service: it ends with
    /// `OUTCOME_UNKNOWN`, as does any money-moving call whose later attempts fail after an
    /// earlier one may have arrived. See [`Client::reconcile`].
    pub fn send(&self, prepared: &PreparedRequest) -> Result<Response> {
        self.send_decoding(prepared, decode_reply, |response| response)
    }

    /// [`Client::send`], a reply decoded by `decode` (`response_of` gives the response in it
    /// that the attempts are recorded on).
    pub(crate) fn send_decoding<T>(
        &self,
        prepared: &PreparedRequest,
        decode: fn(OperationKind, u16, Vec<u8>, Option<u64>) -> Result<T>,
        response_of: fn(&mut T) -> &mut Response,
    ) -> Result<T> {
        let headers: Vec<(&str, &str)> = prepared
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let kind = prepared.kind;
        let mut attempts = Attempts::new(kind, self.max_retries);
        loop {
            let started = std::time::Instant::now();
            let (error, before_send) =
                match self
                    .transport
                    .send(prepared.method, &prepared.url, &headers, &prepared.body)
                {
                    Ok(reply) => match decode(kind, reply.status, reply.body, reply.retry_after) {
                        Ok(mut decoded) => {
                            let response = response_of(&mut decoded);
                            response.attempts =
                                attempts.succeeded(response.http_status, started.elapsed());
                            return Ok(decoded);
                        }
                        Err(e) => (e, false),
                    },
                    Err(Failure { error, before_send }) => (error, before_send),
                };
            match attempts.failed(&error, before_send, started.elapsed()) {
                Some(delay) => std::thread::sleep(delay),
                None => return Err(attempts.conclude(error, &prepared.body)),
            }
        }
    }

    /// Validates, prepares, sends and decodes.
    pub fn execute(&self, request: &impl ToRequest) -> Result<Response> {
        self.send(&self.prepare(request)?)
    }

    /// `GET /ping`: `Ok` when the API answers `OK`.
    pub fn ping(&self) -> Result<Response> {
        self.execute(&Request::ping())
    }

    /// `POST /accounts/list`.
    pub fn list_accounts(&self) -> Result<Response> {
        self.execute(&Request::from_json(OperationKind::AccountsList, "{}")?)
    }

    /// `POST /currencies/list`.
    pub fn list_currencies(&self, request: &CurrenciesList) -> Result<Response> {
        self.execute(request)
    }

    /// `POST /currencies/pairs`.
    pub fn currency_pairs(&self, request: &PairsQuery) -> Result<Response> {
        self.execute(request)
    }

    /// `POST /currencies/rates`.
    pub fn currency_rates(&self, request: &RatesQuery) -> Result<Response> {
        self.execute(request)
    }

    /// `POST /addresses/take`.
    pub fn take_address(&self, request: &TakeAddress) -> Result<Address> {
        self.execute(request).map(Address::from_response)
    }

    /// `POST /withdrawal/crypto`.
    pub fn withdraw(&self, request: &WithdrawalRequest) -> Result<Withdrawal> {
        self.execute(request).map(Withdrawal::from_response)
    }

    /// `POST /exchange/calculate`.
    pub fn calculate_exchange(&self, request: &ExchangeCalculate) -> Result<Exchange> {
        self.execute(request).map(Exchange::from_response)
    }

    /// `POST /exchange/fixed`.
    pub fn exchange_fixed(&self, request: &ExchangeFixed) -> Result<Exchange> {
        self.execute(request).map(Exchange::from_response)
    }

    /// `POST /exchange/now`.
    pub fn exchange_now(&self, request: &ExchangeNow) -> Result<Exchange> {
        self.execute(request).map(Exchange::from_response)
    }

    /// `POST /invoices/create`.
    pub fn create_invoice(&self, request: &InvoiceRequest) -> Result<Invoice> {
        self.execute(request).map(Invoice::from_response)
    }

    /// `POST /api/payments/v1/requests`: a payment request (unguarded: a lost reply is
    /// `OUTCOME_UNKNOWN`, never repeated).
    pub fn create_payment_request(&self, request: &PaymentRequestCreate) -> Result<PaymentRequest> {
        self.execute(request).map(PaymentRequest::from_response)
    }

    /// `POST /invoices/{foreign_id}/cancel/`.
    /// Any 2xx is success; the invoice's fields are filled when the reply carries them.
    pub fn cancel_invoice(&self, foreign_id: &str) -> Result<Invoice> {
        self.execute(&CancelInvoice {
            foreign_id: Some(foreign_id.to_string()),
        })
        .map(Invoice::from_response)
    }

    /// `GET /transactions/info`.
    pub fn transaction_info(&self, lookup: &TransactionLookup) -> Result<Transaction> {
        self.execute(lookup).map(|r| Transaction::from_response(&r))
    }

    /// Looks a money-moving operation up by its `foreign_id` (`transactions/info`): the
    /// answer to `OUTCOME_UNKNOWN` and to a `DUPLICATE_FOREIGN_ID` "may already have
    /// happened". `Ok(Some(transaction))` when the service knows it (read its `status`);
    /// `Ok(None)` when it answers 404 (the service does not document its not-found answer:
    /// 404 is taken as "no such transaction", any other refusal is an error). Read-only,
    /// so retried like any lookup. A withdrawal or exchange that is not found may still be
    /// in flight: wait for its callback before sending it again with a new `foreign_id`.
    pub fn reconcile(&self, foreign_id: &str) -> Result<Option<Transaction>> {
        Ok(self
            .reconcile_response(foreign_id)?
            .map(|r| Transaction::from_response(&r)))
    }

    /// [`Client::reconcile`] with the whole reply (raw body and normalized data).
    pub fn reconcile_response(&self, foreign_id: &str) -> Result<Option<Response>> {
        let lookup = TransactionLookup {
            foreign_id: Some(foreign_id.to_string()),
            ..TransactionLookup::default()
        };
        match self.execute(&lookup) {
            Ok(r) => Ok(Some(r)),
            Err(e) if e.http_status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A signed call to any path with any JSON body.
    pub fn request(&self, request: &GenericRequest) -> Result<Response> {
        self.execute(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn client_is_send_and_sync() {
        assert_send_sync::<Client>();
    }

    #[test]
    fn prepare_signs_the_exact_body() {
        let client = Client::builder("key-1", b"AbCdEfG123456")
            .app_info("Shop/1.0")
            .build()
            .unwrap();
        let req = Request::from_json(
            OperationKind::Generic,
            r#"{"path":"/addresses/take","body":{"currency":"BTC","foreign_id":"123456"}}"#,
        )
        .unwrap();
        let p = client.prepare(&req).unwrap();
        assert_eq!(p.url, "https://app.alphapo.net/api/v2/addresses/take");
        assert_eq!(p.body, br#"{"currency":"BTC","foreign_id":"123456"}"#);
        assert_eq!(p.header("x-processing-key"), Some("key-1"));
        assert_eq!(p.header("Content-Type"), Some("application/json"));
        assert_eq!(
            p.header("X-Processing-Signature"),
            Some("03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec")
        );
        assert!(!format!("{p:?}").contains("5b90815f20e2bb10"));
        assert!(client.user_agent().ends_with(" Shop/1.0"));
        assert!(!format!("{client:?}").contains("AbCdEfG"));
    }

    #[test]
    fn builder_refuses_bad_settings() {
        assert!(Client::builder("", b"s").build().is_err());
        assert!(Client::builder("k\r\nX: y", b"s").build().is_err());
        assert!(Client::builder("k", b"s")
            .base_url("http://example.com/api/v2", false)
            .build()
            .is_err());
        assert!(Client::builder("k", b"s")
            .timeout(Duration::ZERO)
            .build()
            .is_err());
        assert!(Client::builder("k", b"s").app_info("a\nb").build().is_err());
        assert!(Client::builder("k", b"s")
            .ca_pem(b"not pem".to_vec())
            .build()
            .is_err());
    }
}
