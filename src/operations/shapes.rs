//! The known fields of every reply and callback, for tolerant normalization (spec §5, §8).

use crate::reply::normalize::{Kind, Shape};

static ACCOUNT: &Shape = &[("balance", Kind::Amount)];

static CURRENCY: &Shape = &[
    ("id", Kind::Int),
    ("minimum_amount", Kind::Amount),
    ("deposit_fee_percent", Kind::Amount),
    ("withdrawal_fee_percent", Kind::Amount),
    ("precision", Kind::Int),
];

static PAIR_SIDE: &Shape = &[
    ("min_amount", Kind::Amount),
    ("min_amount_deposit_with_exchange", Kind::Amount),
];

static PAIR: &Shape = &[
    ("currency_from", Kind::Object(PAIR_SIDE)),
    ("currency_to", Kind::Object(PAIR_SIDE)),
    ("rate_from", Kind::Amount),
    ("rate_to", Kind::Amount),
];

static ADDRESS: &Shape = &[
    ("id", Kind::Int),
    ("tag", Kind::Ref),
    ("foreign_id", Kind::Ref),
    ("end_user_reference", Kind::Ref),
];

static WITHDRAWAL: &Shape = &[
    ("id", Kind::Int),
    ("foreign_id", Kind::Ref),
    ("end_user_reference", Kind::Ref),
    ("amount", Kind::Amount),
    ("amount_to", Kind::Amount),
    ("sender_amount", Kind::Amount),
    ("receiver_amount", Kind::Amount),
    ("tag", Kind::Ref),
];

static EXCHANGE: &Shape = &[
    ("id", Kind::Int),
    ("foreign_id", Kind::Ref),
    ("sender_amount", Kind::Amount),
    ("receiver_amount", Kind::Amount),
    ("fee_amount", Kind::Amount),
    ("price", Kind::Amount),
    ("ts_fixed", Kind::Int),
    ("ts_release", Kind::Int),
    ("fix_period", Kind::Int),
];

static INVOICE: &Shape = &[
    ("id", Kind::Int),
    ("foreign_id", Kind::Ref),
    ("end_user_reference", Kind::Ref),
    ("amount", Kind::Amount),
    ("sender_amount", Kind::Amount),
    ("fixed_at", Kind::Int),
    ("release_at", Kind::Int),
    ("seconds_left", Kind::Int),
];

static CRYPTO_ADDRESS: &Shape = &[
    ("id", Kind::Int),
    ("tag", Kind::Ref),
    ("foreign_id", Kind::Ref),
    ("cross_currency", Kind::Bool),
];

static CURRENCY_AMOUNT: &Shape = &[
    ("amount", Kind::Amount),
    ("amount_minus_fee", Kind::Amount),
    ("remaining_amount", Kind::Amount),
];

static TRANSACTION_ITEM: &Shape = &[
    ("id", Kind::Int),
    ("tag", Kind::Ref),
    ("amount", Kind::Amount),
    ("amount_to", Kind::Amount),
    ("txid", Kind::Ref),
    ("riskscore", Kind::Ref),
    ("confirmations", Kind::Int),
];

static FEE: &Shape = &[("amount", Kind::Amount)];

static TRANSACTION: &Shape = &[
    ("id", Kind::Int),
    ("foreign_id", Kind::Ref),
    ("end_user_reference", Kind::Ref),
    ("crypto_address", Kind::Object(CRYPTO_ADDRESS)),
    ("currency_sent", Kind::Object(CURRENCY_AMOUNT)),
    ("currency_received", Kind::Object(CURRENCY_AMOUNT)),
    ("transactions", Kind::Array(&Kind::Object(TRANSACTION_ITEM))),
    ("fees", Kind::Array(&Kind::Object(FEE))),
    ("error", Kind::Text),
    ("fixed_at", Kind::Int),
    ("expires_at", Kind::Int),
];

pub(crate) static TRANSACTION_KIND: Kind = Kind::Object(TRANSACTION);
pub(crate) static ACCOUNTS: Kind = Kind::Array(&Kind::Object(ACCOUNT));
pub(crate) static CURRENCIES: Kind = Kind::Array(&Kind::Object(CURRENCY));
pub(crate) static PAIRS: Kind = Kind::Array(&Kind::Object(PAIR));
pub(crate) static ADDRESS_KIND: Kind = Kind::Object(ADDRESS);
pub(crate) static WITHDRAWAL_KIND: Kind = Kind::Object(WITHDRAWAL);
pub(crate) static EXCHANGE_KIND: Kind = Kind::Object(EXCHANGE);
pub(crate) static INVOICE_KIND: Kind = Kind::Object(INVOICE);
static PR_CURRENCY_SENT: &Shape = &[
    ("expected_amount", Kind::Amount),
    ("received_amount", Kind::Amount),
    ("remaining_amount", Kind::Amount),
];

static PR_AMOUNT: &Shape = &[("amount", Kind::Amount)];

static PAYMENT_REQUEST: &Shape = &[
    ("amount", Kind::Amount),
    ("life_time", Kind::Int),
    ("foreign_id", Kind::Ref),
    ("end_user_reference", Kind::Ref),
];

static PAYMENT_REQUEST_CALLBACK: &Shape = &[
    ("payment_request_id", Kind::Ref),
    ("foreign_id", Kind::Ref),
    ("end_user_reference", Kind::Ref),
    ("payment_request_amount", Kind::Object(PR_AMOUNT)),
    ("currency_sent", Kind::Object(PR_CURRENCY_SENT)),
    ("transactions", Kind::Array(&Kind::Object(TRANSACTION_ITEM))),
    ("fees", Kind::Array(&Kind::Object(FEE))),
    ("fixed_at", Kind::Int),
    ("expires_at", Kind::Int),
    ("valid_until", Kind::Int),
];

pub(crate) static PAYMENT_REQUEST_KIND: Kind = Kind::Object(PAYMENT_REQUEST);
pub(crate) static PAYMENT_REQUEST_CALLBACK_KIND: Kind = Kind::Object(PAYMENT_REQUEST_CALLBACK);
pub(crate) static TEXT: Kind = Kind::Text;
pub(crate) static ANY: Kind = Kind::Any;

/// The shape of a payment-request callback.
pub fn payment_request_callback_shape() -> &'static Kind {
    &PAYMENT_REQUEST_CALLBACK_KIND
}

/// The shape of a transaction object: the reply of transactions/info and every callback.
pub fn transaction_shape() -> &'static Kind {
    &TRANSACTION_KIND
}
