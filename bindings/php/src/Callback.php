<?php

declare(strict_types=1);

namespace AlphaPo;

use AlphaPo\Exception\SignatureMismatchException;
use AlphaPo\Internal\Native;

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
 * `data` holds the normalized callback: amounts are decimal strings, ids ints, unknown
 * fields kept. Read fields with `$callback->get('currency_received.amount')`.
 *
 * Its properties are read-only: assigning one throws an \Error.
 *
 * @property-read array<string, mixed> $data
 * @property-read list<string> $malformed
 * @property-read string $dedupeKey The event's identity
 *     (`<type>:<id>:<status>:<transaction ids>:<remaining>:<received>`, computed by
 *     libalphapo): process each key once. A redelivery has the same key; every distinct
 *     event (each instalment of a partial-pay invoice) its own.
 * @property-read string $rawBody
 * @property-read int|null $id
 * @property-read string|null $type
 * @property-read string|null $status
 * @property-read bool $fullyPaid Invoice `confirmed` with nothing remaining, or payment
 *     request `paid`.
 * @property-read string|null $foreignId The merchant's reference (for deposits:
 *     `crypto_address.foreign_id`).
 * @property-read string|null $paymentRequestId Payment-request callbacks: the request's id
 *     (they carry no root `id`).
 */
final class Callback
{
    use Internal\ReadOnlyProperties;

    private const PROPERTIES = [
        'data', 'malformed', 'dedupeKey', 'rawBody', 'id', 'type', 'status', 'fullyPaid',
        'foreignId', 'paymentRequestId',
    ];

    /** @var array<string, mixed> */
    private array $data;
    /** @var list<string> */
    private array $malformed;
    private string $dedupeKey;
    private string $rawBody;
    private ?int $id;
    private ?string $type;
    private ?string $status;
    private bool $fullyPaid;
    private ?string $foreignId;
    private ?string $paymentRequestId;

    /**
     * @param array<string, mixed> $data
     * @param list<string> $malformed
     */
    private function __construct(
        array $data,
        array $malformed,
        string $dedupeKey,
        string $rawBody,
        ?int $id,
        ?string $type,
        ?string $status,
        bool $fullyPaid,
        ?string $foreignId,
        ?string $paymentRequestId
    ) {
        $this->data = $data;
        $this->malformed = $malformed;
        $this->dedupeKey = $dedupeKey;
        $this->rawBody = $rawBody;
        $this->id = $id;
        $this->type = $type;
        $this->status = $status;
        $this->fullyPaid = $fullyPaid;
        $this->foreignId = $foreignId;
        $this->paymentRequestId = $paymentRequestId;
    }

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
     * The value at a dotted path (`"type"`, `"currency_received.amount"`, `"transactions.0.txid"`).
     *
     * @param mixed $default
     * @return mixed
     */
    public function get(string $path, $default = null)
    {
        return Result::dig($this->data, $path, $default);
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
        $error = Native::slot('alphapo_error');
        if (!$parse) {
            Native::check((int) $ffi->alphapo_callback_verify(
                $signer->handle(),
                Native::bytes($body),
                strlen($body),
                $signature,
                strlen($signature),
                $keyHeader,
                $expectedKey,
                \FFI::addr($error)
            ), $error);
            return null;
        }
        $out = Native::slot('alphapo_callback');
        Native::check((int) $ffi->alphapo_callback_parse(
            $signer->handle(),
            Native::bytes($body),
            strlen($body),
            $signature,
            strlen($signature),
            $keyHeader,
            $expectedKey,
            \FFI::addr($out),
            \FFI::addr($error)
        ), $error);
        try {
            $json = Native::ownedString($ffi->alphapo_callback_json($out));
        } finally {
            $ffi->alphapo_callback_free($out);
        }
        $envelope = json_decode((string) $json, true, 512, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING);
        $data = is_array($envelope['data'] ?? null) ? $envelope['data'] : [];
        return new self(
            $data,
            $envelope['malformed'] ?? [],
            (string) ($envelope['dedupe_key'] ?? ''),
            $body,
            is_int($data['id'] ?? null) ? $data['id'] : null,
            is_string($data['type'] ?? null) ? $data['type'] : null,
            is_string($data['status'] ?? null) ? $data['status'] : null,
            ($envelope['fully_paid'] ?? false) === true,
            is_string($envelope['foreign_id'] ?? null) ? $envelope['foreign_id'] : null,
            is_string($envelope['payment_request_id'] ?? null) ? $envelope['payment_request_id'] : null
        );
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
