//! `alphapo_client_builder` and `alphapo_client`: credentials, environment, timeouts, and the
//! calls that reach every operation.

use super::error::alphapo_error;
use super::prepared::alphapo_prepared;
use super::request::alphapo_request;
use super::response::alphapo_response;
use super::{
    deliver, deliver_or_null, ffi_boundary, free_box, null_argument, opt_str, try_bytes, try_mut,
    try_ref, try_str,
};
use crate::client::{Client, ClientBuilder, PreparedRequest};
use crate::environment::Environment;
use crate::error::{Error, Status};
use crate::operations::{OperationKind, Request};
use crate::reply::Decoded;
use std::ffi::c_char;
use std::time::Duration;

/// The known API hosts, for `alphapo_client_builder_set_environment` (passed as `uint32_t`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub enum alphapo_environment {
    /// `https://app.alphapo.net/api/v2` (the default).
    Alphapo = 0,
    /// `https://app.cryptoprocessing.com/api/v2`.
    Cryptoprocessing = 1,
    /// `https://app.sandbox.cryptoprocessing.com/api/v2`.
    CryptoprocessingSandbox = 2,
    /// `https://app.lt.cryptoprocessing.com/api/v2`.
    CryptoprocessingLt = 3,
    /// `https://app.coinspaid.com/api/v2` (legacy host).
    Coinspaid = 4,
}

impl alphapo_environment {
    /// Every value, for the range check of a number that comes in from C.
    const ALL: [alphapo_environment; 5] = [
        alphapo_environment::Alphapo,
        alphapo_environment::Cryptoprocessing,
        alphapo_environment::CryptoprocessingSandbox,
        alphapo_environment::CryptoprocessingLt,
        alphapo_environment::Coinspaid,
    ];

    /// The environment for a C number, `None` if unknown (the one place the numbers are
    /// mapped: the core knows no C numbers).
    fn from_code(code: u32) -> Option<Environment> {
        let known = Self::ALL.into_iter().find(|e| *e as u32 == code)?;
        Some(match known {
            alphapo_environment::Alphapo => Environment::AlphaPo,
            alphapo_environment::Cryptoprocessing => Environment::CryptoProcessing,
            alphapo_environment::CryptoprocessingSandbox => Environment::CryptoProcessingSandbox,
            alphapo_environment::CryptoprocessingLt => Environment::CryptoProcessingLt,
            alphapo_environment::Coinspaid => Environment::CoinsPaid,
        })
    }
}

/// Settings for a client. Created by `alphapo_client_builder_new`, consumed by
/// `alphapo_client_builder_build` (also when it fails) or freed by
/// `alphapo_client_builder_free`. Not thread-safe: use it from one thread.
pub struct alphapo_client_builder {
    inner: Option<ClientBuilder>,
    ca_file: Option<String>,
}

/// A client: credentials, a connection pool, timeouts and a retry policy.
///
/// Created by `alphapo_client_builder_build`, freed by `alphapo_client_free` once no thread
/// uses it any more. Thread-safe: many threads may call it at the same time.
pub struct alphapo_client {
    pub(crate) inner: Client,
}

fn builder_mut<'a>(
    b: *mut alphapo_client_builder,
) -> Result<&'a mut alphapo_client_builder, Error> {
    // SAFETY: NULL or a live builder used by this thread only.
    let b = unsafe { try_mut(b, "builder") }?;
    if b.inner.is_none() {
        return Err(Error::invalid("builder was already consumed"));
    }
    Ok(b)
}

/// The body of every setter: checks the builder (NULL or already built is an error), then
/// the setter's own arguments (`check`, which gives the value), then applies the value to
/// the settings (`apply`). A refused value leaves the builder as it was.
fn configure<V>(
    builder: *mut alphapo_client_builder,
    check: impl FnOnce() -> Result<V, Error>,
    apply: impl FnOnce(ClientBuilder, V) -> ClientBuilder,
) -> Result<(), Error> {
    let b = builder_mut(builder)?;
    let value = check()?;
    if let Some(inner) = b.inner.take() {
        b.inner = Some(apply(inner, value));
    }
    Ok(())
}

/// Starts a client with the API key (`X-Processing-Key`, NUL-terminated UTF-8) and the
/// secret (`secret_len` bytes). Default environment: AlphaPo production; timeouts 10 s to
/// connect and 30 s for the exchange; 2 retries. Writes the builder to `*out`.
#[no_mangle]
pub extern "C" fn alphapo_client_builder_new(
    api_key: *const c_char,
    secret: *const u8,
    secret_len: usize,
    out: *mut *mut alphapo_client_builder,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        // SAFETY: NUL-terminated string or NULL; bytes valid for their length or NULL.
        let key = unsafe { try_str(api_key, "api_key") }?;
        let secret = unsafe { try_bytes(secret, secret_len, "secret") }?;
        deliver(out, || {
            Ok(alphapo_client_builder {
                inner: Some(ClientBuilder::new(key, secret)),
                ca_file: None,
            })
        })
    })
}

/// Selects a known host: an `alphapo_environment` value. Unknown values are
/// `ALPHAPO_STATUS_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn alphapo_client_builder_set_environment(
    builder: *mut alphapo_client_builder,
    environment: u32,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        configure(
            builder,
            || {
                alphapo_environment::from_code(environment)
                    .ok_or_else(|| Error::invalid(format!("unknown environment {environment}")))
            },
            ClientBuilder::environment,
        )
    })
}

/// Checks a base URL (NULL, UTF-8, the rules of `Environment::custom`) and sets it.
fn set_url(
    builder: *mut alphapo_client_builder,
    url: *const c_char,
    allow_insecure_http: bool,
    set: fn(ClientBuilder, &str, bool) -> ClientBuilder,
) -> Result<(), Error> {
    configure(
        builder,
        || {
            // SAFETY: NULL or a NUL-terminated string.
            let url = unsafe { try_str(url, "base_url") }?;
            Environment::custom(url, allow_insecure_http)?;
            Ok(url)
        },
        |i, url| set(i, url, allow_insecure_http),
    )
}

/// Sends requests to a custom base URL that includes `/api/v2` (e.g. the local sandbox).
/// `http://` is accepted only for a loopback host unless `allow_insecure_http` is true;
/// checked by `alphapo_client_builder_build`.
#[no_mangle]
pub extern "C" fn alphapo_client_builder_set_base_url(
    builder: *mut alphapo_client_builder,
    base_url: *const c_char,
    allow_insecure_http: bool,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        set_url(
            builder,
            base_url,
            allow_insecure_http,
            ClientBuilder::base_url,
        )
    })
}

/// Sends payment requests to this payments base URL (e.g. `https://host/api/payments/v1`)
/// instead of the one implied by the v2 base (`<host>/api/payments/v1`). The same rules as
/// `alphapo_client_builder_set_base_url`.
#[no_mangle]
pub extern "C" fn alphapo_client_builder_set_payments_base_url(
    builder: *mut alphapo_client_builder,
    base_url: *const c_char,
    allow_insecure_http: bool,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        set_url(
            builder,
            base_url,
            allow_insecure_http,
            ClientBuilder::payments_base_url,
        )
    })
}

/// Sets the connect timeout and the timeout for sending a request and receiving its reply,
/// in milliseconds. 0 keeps the current value.
#[no_mangle]
pub extern "C" fn alphapo_client_builder_set_timeouts(
    builder: *mut alphapo_client_builder,
    connect_timeout_ms: u32,
    timeout_ms: u32,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        configure(
            builder,
            || Ok(()),
            |mut i, ()| {
                if connect_timeout_ms > 0 {
                    i = i.connect_timeout(Duration::from_millis(connect_timeout_ms.into()));
                }
                if timeout_ms > 0 {
                    i = i.timeout(Duration::from_millis(timeout_ms.into()));
                }
                i
            },
        )
    })
}

/// Appends `app_info` (printable ASCII, at most 200 characters, e.g. `"MyShop/1.4"`) to the
/// User-Agent `libalphapo/<version> (rust)`.
#[no_mangle]
pub extern "C" fn alphapo_client_builder_set_app_info(
    builder: *mut alphapo_client_builder,
    app_info: *const c_char,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        configure(
            builder,
            // SAFETY: NULL or a NUL-terminated string.
            || unsafe { try_str(app_info, "app_info") },
            ClientBuilder::app_info,
        )
    })
}

/// Trusts exactly the PEM certificates of the file at `path` instead of the built-in roots
/// (read by `alphapo_client_builder_build`).
#[no_mangle]
pub extern "C" fn alphapo_client_builder_set_ca_file(
    builder: *mut alphapo_client_builder,
    path: *const c_char,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        let b = builder_mut(builder)?;
        // SAFETY: NULL or a NUL-terminated string.
        let path = unsafe { try_str(path, "path") }?;
        b.ca_file = Some(path.to_string());
        Ok(())
    })
}

/// Goes through an HTTP proxy, `http://[user:pass@]host:port` (HTTPS through a CONNECT
/// tunnel, the API's certificate verified end to end); NULL clears it (direct, the
/// default). Checked here; the credentials never appear in messages.
#[no_mangle]
pub extern "C" fn alphapo_client_builder_set_proxy(
    builder: *mut alphapo_client_builder,
    url: *const c_char,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        configure(
            builder,
            || {
                // SAFETY: NULL or a NUL-terminated string.
                let url = unsafe { opt_str(url, "url") }?;
                if let Some(u) = url {
                    crate::transport::proxy::ProxyUrl::parse(u)?;
                }
                Ok(url)
            },
            ClientBuilder::proxy,
        )
    })
}

/// When `yes` and no proxy is set, reads it from the environment at build time (off by
/// default): `HTTPS_PROXY` for an https API, `HTTP_PROXY` for plain http but never under
/// CGI (`REQUEST_METHOD` set), `NO_PROXY` honoured, never for a loopback host.
#[no_mangle]
pub extern "C" fn alphapo_client_builder_set_proxy_from_environment(
    builder: *mut alphapo_client_builder,
    yes: bool,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        configure(builder, || Ok(yes), ClientBuilder::proxy_from_environment)
    })
}

/// Sets the number of retries after the first attempt (default 2, at most 10, 0 = off).
#[no_mangle]
pub extern "C" fn alphapo_client_builder_set_max_retries(
    builder: *mut alphapo_client_builder,
    max_retries: u32,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        configure(builder, || Ok(max_retries), ClientBuilder::max_retries)
    })
}

/// Builds the client into `*out`. Consumes the builder, also on failure: do not use or free
/// it afterwards. No network access happens here.
#[no_mangle]
pub extern "C" fn alphapo_client_builder_build(
    builder: *mut alphapo_client_builder,
    out: *mut *mut alphapo_client,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        if builder.is_null() {
            return Err(null_argument("builder"));
        }
        // SAFETY: non-NULL builder from alphapo_client_builder_new; ownership moves here.
        let b = unsafe { Box::from_raw(builder) };
        let mut inner = b
            .inner
            .ok_or_else(|| Error::invalid("builder was already consumed"))?;
        deliver(out, || {
            if let Some(path) = &b.ca_file {
                inner = inner.ca_file(std::path::Path::new(path))?;
            }
            Ok(alphapo_client {
                inner: inner.build()?,
            })
        })
    })
}

/// Frees a builder that was not built. NULL does nothing.
///
/// # Safety
/// `builder` is NULL or a builder not yet built or freed.
#[no_mangle]
pub unsafe extern "C" fn alphapo_client_builder_free(builder: *mut alphapo_client_builder) {
    ffi_boundary!({ free_box(builder) })
}

/// Frees a client. NULL does nothing. No other thread may be using it.
///
/// # Safety
/// `client` is NULL or a client from `alphapo_client_builder_build`, not freed before.
#[no_mangle]
pub unsafe extern "C" fn alphapo_client_free(client: *mut alphapo_client) {
    ffi_boundary!({ free_box(client) })
}

pub(crate) fn operation_kind(operation: u32) -> Result<OperationKind, Error> {
    OperationKind::from_code(operation)
        .ok_or_else(|| Error::invalid(format!("unknown operation {operation}")))
}

pub(crate) fn request_from_json(
    operation: u32,
    request_json: *const c_char,
) -> Result<Request, Error> {
    let kind = operation_kind(operation)?;
    // SAFETY: NULL or a NUL-terminated string.
    let json = unsafe { opt_str(request_json, "request_json") }?;
    Request::from_json(kind, json.unwrap_or(""))
}

fn client_ref<'a>(client: *const alphapo_client) -> Result<&'a Client, Error> {
    // SAFETY: NULL or a live client (shared references are fine across threads).
    unsafe { try_ref(client, "client") }.map(|c| &c.inner)
}

/// The body of the client calls that make a handle: borrows the client, reads the call's
/// input (`input`), checks `out`, then runs `run` and hands its result to C through `out`,
/// in that order (the status of a call with several bad arguments follows it).
fn with_client<I, T>(
    client: *const alphapo_client,
    input: impl FnOnce() -> Result<I, Error>,
    out: *mut *mut T,
    run: impl FnOnce(&Client, I) -> Result<T, Error>,
) -> Result<(), Error> {
    let client = client_ref(client)?;
    let input = input()?;
    deliver(out, || run(client, input))
}

/// A request built field by field, as the core's request.
fn built_request(request: *const alphapo_request) -> Result<Request, Error> {
    // SAFETY: NULL or a live request.
    unsafe { try_ref(request, "request") }?.to_request()
}

/// Runs a request (validated and serialized when it was made): signs, sends with retries,
/// decodes. The request is signed as it is, not copied.
fn execute(client: &Client, request: Request) -> Result<alphapo_response, Error> {
    let prepared = client.sign_request(request);
    Ok(alphapo_response::new(send(client, &prepared)?))
}

/// Sends a prepared request; the reply's data read flat when it can be (the full data is
/// decoded from the raw body only if asked for).
fn send(client: &Client, prepared: &PreparedRequest) -> Result<Decoded, Error> {
    client.send_decoding(prepared, Decoded::decode, Decoded::response_mut)
}

/// Prepares a request (validated and serialized when it was made) without sending it.
fn prepare(client: &Client, request: Request) -> Result<alphapo_prepared, Error> {
    Ok(alphapo_prepared::new(client.sign_request(request)))
}

/// Runs an operation (an `alphapo_operation` value) with its fields as a JSON object
/// (`request_json`, NUL-terminated; NULL means `{}`): validates every field rule (on
/// failure `ALPHAPO_STATUS_VALIDATION` and nothing is sent), signs, sends with retries,
/// decodes. Writes the response to `*out` (free with `alphapo_response_free`).
/// Thread-safe.
#[no_mangle]
pub extern "C" fn alphapo_client_call(
    client: *const alphapo_client,
    operation: u32,
    request_json: *const c_char,
    out: *mut *mut alphapo_response,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        with_client(
            client,
            || request_from_json(operation, request_json),
            out,
            execute,
        )
    })
}

/// Looks a money-moving operation up by its `foreign_id` (`transactions/info`): what to do
/// after `ALPHAPO_STATUS_OUTCOME_UNKNOWN` (its `foreign_id` is `alphapo_error_foreign_id`)
/// or a `DUPLICATE_FOREIGN_ID` "may already have happened". On `ALPHAPO_STATUS_OK`, `*out`
/// is the transaction (free with `alphapo_response_free`; read its `status`), or NULL when
/// the service answered 404: no such transaction (yet: a withdrawal may still be in
/// flight, wait for its callback before sending it again with a new `foreign_id`). Any
/// other failure is returned as usual. Read-only; thread-safe.
#[no_mangle]
pub extern "C" fn alphapo_client_reconcile(
    client: *const alphapo_client,
    foreign_id: *const c_char,
    out: *mut *mut alphapo_response,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        let client = client_ref(client)?;
        // SAFETY: NULL or a NUL-terminated string.
        let foreign_id = unsafe { try_str(foreign_id, "foreign_id") }?;
        deliver_or_null(out, || {
            Ok(client
                .reconcile_response(foreign_id)?
                .map(|r| alphapo_response::new(Decoded::Full(r))))
        })
    })
}

/// Like `alphapo_client_call`, but stops before sending: writes the method, URL, exact body
/// and headers to `*out` (free with `alphapo_prepared_free`). No network access.
#[no_mangle]
pub extern "C" fn alphapo_client_prepare(
    client: *const alphapo_client,
    operation: u32,
    request_json: *const c_char,
    out: *mut *mut alphapo_prepared,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        with_client(
            client,
            || request_from_json(operation, request_json),
            out,
            prepare,
        )
    })
}

/// Sends a prepared request (the same bytes on every retry) and decodes the reply into
/// `*out`. Thread-safe.
#[no_mangle]
pub extern "C" fn alphapo_client_send(
    client: *const alphapo_client,
    prepared: *const alphapo_prepared,
    out: *mut *mut alphapo_response,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        with_client(
            client,
            // SAFETY: NULL or a live prepared request.
            || unsafe { try_ref(prepared, "prepared") },
            out,
            |client, prepared| Ok(alphapo_response::new(send(client, prepared.inner())?)),
        )
    })
}

/// Runs a request built field by field (`alphapo_request`): as `alphapo_client_call` with
/// the request's operation and fields. The request is not consumed (free it with
/// `alphapo_request_free`). Thread-safe.
#[no_mangle]
pub extern "C" fn alphapo_client_call_request(
    client: *const alphapo_client,
    request: *const alphapo_request,
    out: *mut *mut alphapo_response,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        with_client(client, || built_request(request), out, execute)
    })
}

/// Prepares a request built field by field without sending it (see
/// `alphapo_client_prepare`). No network access. Thread-safe.
#[no_mangle]
pub extern "C" fn alphapo_client_prepare_request(
    client: *const alphapo_client,
    request: *const alphapo_request,
    out: *mut *mut alphapo_prepared,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        with_client(client, || built_request(request), out, prepare)
    })
}

/// Decodes a reply that the caller's own HTTP client received for `operation`: a 2xx body
/// becomes a response in `*out`; any other status becomes the matching error (403 →
/// `ALPHAPO_STATUS_AUTH`, taken foreign_id → `ALPHAPO_STATUS_DUPLICATE_FOREIGN_ID`, …).
#[no_mangle]
pub extern "C" fn alphapo_decode_reply(
    operation: u32,
    http_status: u16,
    body: *const u8,
    body_len: usize,
    out: *mut *mut alphapo_response,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        let kind = operation_kind(operation)?;
        // SAFETY: NULL or `body_len` readable bytes.
        let body = unsafe { try_bytes(body, body_len, "body") }?;
        deliver(out, || {
            Ok(alphapo_response::new(Decoded::decode(
                kind,
                http_status,
                body.to_vec(),
                None,
            )?))
        })
    })
}
