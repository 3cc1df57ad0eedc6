//! # libalphapo
//!
//! A client for the AlphaPo / CoinsPaid / CryptoProcessing merchant API (v2 and payment
//! requests), with one
//! implementation behind every language: this Rust crate, its C ABI (`include/alphapo.h`),
//! and the Python and PHP packages built on that ABI.
//!
//! - [`signature`]: HMAC-SHA512 over the exact body bytes; a pre-keyed [`Signer`];
//!   constant-time verification.
//! - [`amount`]: exact decimal amounts, never floats.
//! - [`operations`]: THE operations table ([`operations::OPERATIONS`]) and every operation
//!   as a typed, validated request and a tolerant typed result; requests also come from
//!   JSON.
//! - [`client`]: credentials + transport; [`Client::prepare`] (no network) and
//!   [`Client::execute`] (with safe retries).
//! - [`callback`]: verify, then parse, the callbacks the service sends.
//! - [`error`]: one error type with stable status codes shared with every binding; every
//!   result and error of a call carries its [`AttemptRecord`].
//!
//! `ffi` (the C ABI) and `reply` are public only for the crate's own tests and fuzz
//! targets: they are not Rust API and may change in any release.
//!
//! ```no_run
//! use alphapo::{Amount, Client, InvoiceRequest};
//!
//! let client = Client::builder("my-api-key", b"my-secret").build()?;
//! let invoice = client.create_invoice(&InvoiceRequest {
//!     title: Some("Order 1001".into()),
//!     currency: Some("EUR".into()),
//!     amount: Some(Amount::parse("106.75").unwrap()),
//!     foreign_id: Some("order-1001".into()),
//!     url_success: Some("https://shop.example.com/paid".into()),
//!     url_failed: Some("https://shop.example.com/failed".into()),
//!     ..InvoiceRequest::default()
//! })?;
//! println!("pay at {}", invoice.url.unwrap_or_default());
//! # Ok::<(), alphapo::Error>(())
//! ```

#![deny(missing_docs)]

pub mod amount;
pub mod callback;
pub mod client;
pub mod environment;
pub mod error;
#[doc(hidden)] // the C ABI, not Rust API: include/alphapo.h documents it
pub mod ffi;
pub mod operations;
#[doc(hidden)] // internals, public for the fuzz targets and tests only
pub mod reply;
mod retry;
pub mod signature;
mod transport;
#[doc(hidden)] // internals, public for the fuzz target only
pub use transport::fuzz_read_reply;

pub use amount::Amount;
pub use callback::{parse_callback, sign_test_callback, verify_callback, Callback};
pub use client::{Client, ClientBuilder, PreparedRequest, VERSION};
pub use environment::Environment;
pub use error::{Error, FieldError, Result, Status};
pub use operations::{
    Address, Exchange, ExchangeCalculate, ExchangeFixed, ExchangeNow, GenericRequest, Invoice,
    InvoiceRequest, InvoiceType, OperationKind, Party, PaymentCurrency, PaymentRequest,
    PaymentRequestCreate, Request, Response, RetryClass, TakeAddress, Transaction,
    TransactionLookup, Withdrawal, WithdrawalRequest,
};
pub use retry::{Attempt, AttemptRecord};
pub use signature::{sign, verify, Signer};
