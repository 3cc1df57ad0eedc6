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
 * if (!alreadyProcessed($callback->dedupeKey)) { ... }  // deliveries may repeat
 * http_response_code(200);                              // only after processing
 * ```
 *
 * `data` holds the normalized callback: amounts are decimal strings, ids ints, unknown
 * fields kept. Read fields with `$callback->get('currency_received.amount')`.
 */
final class Callback
{
    /**
     * @param array<string, mixed> $data
     * @param list<string> $malformed
     */
    private function __construct(
        public readonly array $data,
        public readonly array $malformed,
        /** `"<id>:<status>"`: process each key once, the service may deliver a callback twice. */
        public readonly string $dedupeKey,
        public readonly string $rawBody,
        public readonly ?int $id,
        public readonly ?string $type,
        public readonly ?string $status,
    ) {
    }

    /**
     * Whether the callback is authentic: `$signature` (the `X-Processing-Signature` header)
     * is checked in constant time over the raw `$body`; when `$expectedKey` is given, the
     * `X-Processing-Key` header must equal it.
     *
     * @param string|Signer $secret the merchant's secret, or a Signer made from it
     * @param string $body the raw request body (an array is refused)
     */
    public static function verify(
        string|Signer $secret,
        mixed $body,
        ?string $signature,
        ?string $keyHeader = null,
        ?string $expectedKey = null,
    ): bool {
        try {
            self::run($secret, $body, $signature, $keyHeader, $expectedKey, false);
            return true;
        } catch (SignatureMismatchException) {
            return false;
        }
    }

    /**
     * Verifies like verify(), then parses. Nothing of an unverified body is parsed.
     *
     * @throws SignatureMismatchException when the callback is not authentic: answer non-200
     * @throws Exception\DecodeException when an authentic body is not a JSON object
     */
    public static function parse(
        string|Signer $secret,
        mixed $body,
        ?string $signature,
        ?string $keyHeader = null,
        ?string $expectedKey = null,
    ): self {
        return self::run($secret, $body, $signature, $keyHeader, $expectedKey, true);
    }

    /**
     * Parses the callback of the current request: the raw body from `php://input` and the
     * `X-Processing-Signature` / `X-Processing-Key` headers. With `$expectedKey` (your API
     * key) the key header is checked too.
     */
    public static function fromGlobals(string|Signer $secret, ?string $expectedKey = null): self
    {
        $body = file_get_contents('php://input');
        return self::parse(
            $secret,
            $body === false ? '' : $body,
            self::header('X-Processing-Signature'),
            self::header('X-Processing-Key'),
            $expectedKey,
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

    /** The value at a dotted path (`"type"`, `"currency_received.amount"`, `"transactions.0.txid"`). */
    public function get(string $path, mixed $default = null): mixed
    {
        return Result::dig($this->data, $path, $default);
    }

    private static function run(
        string|Signer $secret,
        mixed $body,
        ?string $signature,
        ?string $keyHeader,
        ?string $expectedKey,
        bool $parse,
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
                \FFI::addr($error),
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
            \FFI::addr($error),
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
