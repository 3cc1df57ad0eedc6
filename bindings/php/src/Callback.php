<?php

declare(strict_types=1);

namespace AlphaPo;

use AlphaPo\Exception\SignatureMismatchException;
use AlphaPo\Internal\Native;
use AlphaPo\Internal\TransactionFields;

/**
 * A callback (IPN) the service POSTed to the merchant: verified first, then parsed, always
 * from the raw body bytes.
 *
 * ```php
 * $body = file_get_contents('php://input');            // the exact bytes, never $_POST
 * $callback = Callback::parse($secret, $body, $_SERVER['HTTP_X_PROCESSING_SIGNATURE'] ?? null);
 * // or: $callback = Callback::fromGlobals($secret, $apiKey);
 * if (!alreadyProcessed($callback->dedupeKey)) {        // each event once
 *     if ($callback->fullyPaid) { shipTheOrder(); }     // never on "confirmed" alone
 * }
 * http_response_code(200);                              // only after processing
 * ```
 *
 * Its typed properties come from libalphapo (amounts are decimal strings, ids ints); `raw`
 * (also `data`) holds the whole normalized callback, unknown fields kept: read any field
 * with `$callback->get('currency_received.amount')`. `httpStatus` and `operation` are 0 (a
 * callback is a request, not a reply).
 *
 * Its properties are read-only: assigning one throws an \Error.
 *
 * @property-read string $dedupeKey The event's identity
 *     (`<type>:<id>:<status>:<transaction ids>:<remaining>:<received>`, computed by
 *     libalphapo): process each key once. A redelivery has the same key; every distinct
 *     event (each instalment of a partial-pay invoice) its own.
 * @property-read bool $fullyPaid Invoice `confirmed` with nothing remaining, or payment
 *     request `paid`.
 * @property-read int|null $id
 * @property-read string|null $type `deposit`, `invoice`, `withdrawal`, ... or a new type
 * @property-read string|null $status
 * @property-read string|null $foreignId The merchant's reference (for deposits:
 *     `crypto_address.foreign_id`).
 * @property-read string|null $endUserReference
 * @property-read string|null $sentCurrency
 * @property-read string|null $sentAmount
 * @property-read string|null $receivedCurrency
 * @property-read string|null $receivedAmount
 * @property-read string|null $receivedAmountMinusFee Deposits: what was credited to the merchant.
 * @property-read string|null $remainingAmount Invoices: what is still due, in the payer's currency.
 * @property-read int|null $fixedAt
 * @property-read int|null $expiresAt
 * @property-read string|null $error Why it failed; null when empty.
 * @property-read string|null $paymentRequestId Payment-request callbacks: the request's id
 *     (they carry no root `id`).
 * @property-read list<array<string, mixed>> $transactions The blockchain transactions the
 *     callback reports: `id`, `txid`, `currency`, `amount` (a decimal string),
 *     `confirmations`, `type`.
 * @property-read string|null $requestedAmount Payment requests: the amount asked for.
 * @property-read string|null $requestedCurrency Payment requests: its currency.
 * @property-read string|null $expectedAmount Payment requests: what the payer must send at
 *     the locked rate, in `sentCurrency` (`sentAmount` is what they have sent so far).
 */
final class Callback extends Result
{
    use TransactionFields; // id, type, status, foreignId, endUserReference, sent*, received*, error

    protected ?string $receivedAmountMinusFee = null;
    protected ?string $remainingAmount = null;
    protected ?int $fixedAt = null;
    protected ?int $expiresAt = null;
    protected ?string $paymentRequestId = null;
    protected ?string $requestedAmount = null;
    protected ?string $requestedCurrency = null;
    protected ?string $expectedAmount = null;
    /** @var list<array{id: ?int, txid: ?string, currency: ?string, amount: ?string, confirmations: ?int, type: ?string}> */
    protected array $transactions = [];
    protected string $dedupeKey = '';
    protected bool $fullyPaid = false;

    /**
     * Whether the callback is authentic: `$signature` (the `X-Processing-Signature` header)
     * is checked in constant time over the raw `$body`; when `$expectedKey` is given and the
     * `X-Processing-Key` header is present (`$keyHeader` not null), it must equal it: the
     * current documentation names only the signature header.
     *
     * @param string|Signer $secret the merchant's secret, or a Signer made from it
     * @param string $body the raw request body (an array is refused)
     */
    public static function verify(
        $secret,
        $body,
        ?string $signature,
        ?string $keyHeader = null,
        ?string $expectedKey = null
    ): bool {
        try {
            self::run($secret, $body, $signature, $keyHeader, $expectedKey, false);
            return true;
        } catch (SignatureMismatchException $e) {
            return false;
        }
    }

    /**
     * Verifies like verify(), then parses. Nothing of an unverified body is parsed.
     *
     * @param string|Signer $secret
     * @param string $body
     * @throws SignatureMismatchException when the callback is not authentic: answer non-200
     * @throws Exception\DecodeException when an authentic body is not a JSON object
     */
    public static function parse(
        $secret,
        $body,
        ?string $signature,
        ?string $keyHeader = null,
        ?string $expectedKey = null
    ): self {
        return self::run($secret, $body, $signature, $keyHeader, $expectedKey, true);
    }

    /**
     * Parses the callback of the current request: the raw body from `php://input` and the
     * `X-Processing-Signature` / `X-Processing-Key` headers. With `$expectedKey` (your API
     * key) the key header is checked too.
     *
     * @param string|Signer $secret
     */
    public static function fromGlobals($secret, ?string $expectedKey = null): self
    {
        $body = file_get_contents('php://input');
        return self::parse(
            $secret,
            $body === false ? '' : $body,
            self::header('X-Processing-Signature'),
            self::header('X-Processing-Key'),
            $expectedKey
        );
    }

    /**
     * For merchants' tests: the `X-Processing-Signature` value the service would send with
     * `$body`.
     */
    public static function sign(string $secret, string $body): string
    {
        return Signature::sign($secret, $body);
    }

    /**
     * @param string|Signer $secret
     * @param string $body
     */
    private static function run(
        $secret,
        $body,
        ?string $signature,
        ?string $keyHeader,
        ?string $expectedKey,
        bool $parse
    ): ?self {
        $body = Signature::body($body);
        $signer = $secret instanceof Signer ? $secret : new Signer($secret);
        $ffi = Native::ffi();
        $signature ??= '';
        $keyHeader = $keyHeader === null ? null : Native::cString($keyHeader, 'the key header');
        $expectedKey = $expectedKey === null ? null : Native::cString($expectedKey, 'the expected key');
        // verify and parse take the same arguments; parse adds its out-parameter before `err`.
        $arguments = [$signer->handle(), Native::bytes($body), strlen($body), $signature, strlen($signature), $keyHeader, $expectedKey];
        $error = Native::slot('alphapo_error');
        if (!$parse) {
            Native::check((int) $ffi->alphapo_callback_verify(...array_merge($arguments, [\FFI::addr($error)])), $error);
            return null;
        }
        $out = Native::slot('alphapo_callback');
        Native::check((int) $ffi->alphapo_callback_parse(...array_merge($arguments, [\FFI::addr($out), \FFI::addr($error)])), $error);
        try {
            $json = Native::ownedString($ffi->alphapo_callback_json($out));
        } finally {
            $ffi->alphapo_callback_free($out);
        }
        $envelope = json_decode((string) $json, true, 512, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING);
        $data = is_array($envelope['data'] ?? null) ? $envelope['data'] : [];
        return self::fromReply(0, 0, $body, $envelope['malformed'] ?? [], $envelope['result'] ?? [], $data, null);
    }

    private static function header(string $name): ?string
    {
        $key = 'HTTP_' . strtoupper(str_replace('-', '_', $name));
        if (isset($_SERVER[$key]) && is_string($_SERVER[$key])) {
            return $_SERVER[$key];
        }
        if (function_exists('getallheaders')) {
            foreach ((array) getallheaders() as $header => $value) {
                if (strcasecmp((string) $header, $name) === 0) {
                    return (string) $value;
                }
            }
        }
        return null;
    }
}
