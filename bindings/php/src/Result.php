<?php

declare(strict_types=1);

namespace AlphaPo;

use AlphaPo\Internal\Native;
use AlphaPo\Internal\Operations;
use FFI\CData;

/**
 * A decoded reply: the operation's typed result ({@see Invoice}, {@see Address},
 * {@see Withdrawal}, {@see Exchange}, {@see Transaction}, a {@see ResultList} of
 * {@see Account}, {@see Currency} or {@see CurrencyPair}, or a {@see Response} for ping and
 * the generic call), built by libalphapo (the API's quirks are handled there), read-only.
 *
 * Besides its typed properties every result has `raw` (the normalized data, unknown fields
 * included, decoded when first read), `rawBody` (the reply exactly as received),
 * `httpStatus`, `operation` and `malformed` (dotted paths of values the library kept
 * verbatim because it could not understand them).
 *
 * @property-read int $operation the {@see Operation} constant
 * @property-read int $httpStatus
 * @property-read list<string> $malformed
 * @property-read string $rawBody
 * @property-read array{total_us: int, attempts: list<array{status: string, http_status: int, duration_us: int, may_have_reached: bool}>} $attempts
 *     what happened during the call: each attempt's status (`OK`, `TRANSPORT`, `SERVER`,
 *     ...), HTTP status (0: no reply), duration in microseconds and whether it may have
 *     reached the service, and the total time (no attempt for a decoded reply)
 */
abstract class Result extends Item
{
    /** Item classes of the list results, by the operations table's `result`. */
    private const LISTS = ['accounts' => Account::class, 'currencies' => Currency::class, 'pairs' => CurrencyPair::class];
    /** Classes of the single results, by the operations table's `result`. */
    private const SINGLE = [
        'invoice' => Invoice::class,
        'address' => Address::class,
        'withdrawal' => Withdrawal::class,
        'exchange' => Exchange::class,
        'transaction' => Transaction::class,
        'payment_request' => PaymentRequest::class,
        'text' => Response::class,
        'json' => Response::class,
    ];

    /** A `size_t` out-parameter, reused (PHP runs one call at a time per process). */
    private static ?CData $length = null;

    protected int $operation = 0;
    protected int $httpStatus = 0;
    /** @var list<string> */
    protected array $malformed = [];
    protected string $rawBody = '';
    /** @var array<string, mixed> */
    protected array $attempts = ['total_us' => 0, 'attempts' => []];

    /**
     * The class of the typed result named `$result` (a row's `result` of the operations
     * table) and, for a list, the class of its items.
     *
     * @return array{0: class-string<Result>, 1: class-string<Item>|null}
     */
    public static function classOf(string $result): array
    {
        if (isset(self::LISTS[$result])) {
            return [ResultList::class, self::LISTS[$result]];
        }
        return [self::SINGLE[$result] ?? Response::class, null];
    }

    /**
     * Reads a response handle, then frees it: the HTTP status, malformed paths, typed result
     * and attempts in one JSON string, and the raw body. `raw` is decoded when first read.
     *
     * @internal
     */
    public static function fromNative(int $operation, CData $response): self
    {
        $ffi = Native::ffi();
        $length = self::$length ?? (self::$length = $ffi->new('size_t'));
        try {
            // A `const char*` result: PHP copies it into a string (NUL-terminated JSON).
            $summary = $ffi->alphapo_response_summary_json($response, null);
            $body = Native::borrowedBytes(
                $ffi->alphapo_response_raw_body($response, \FFI::addr($length)),
                (int) $length->cdata
            ) ?? '';
        } finally {
            $ffi->alphapo_response_free($response);
        }
        // {"http_status": …, "malformed": […], "result": …, "attempts": {…}}
        $reply = json_decode((string) $summary, true, 512, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING);
        $status = (int) $reply['http_status'];
        $malformed = $reply['malformed'];
        $typed = $reply['result'];
        $attempts = $reply['attempts'];
        [$class, $itemClass] = self::classOf(Operations::row($operation)['result'] ?? 'json');
        if ($class === Response::class) {
            // ping and the generic call: the typed result is the normalized data.
            return $class::fromReply($operation, $status, $body, $malformed, $typed, $typed, null)
                ->withAttempts($attempts);
        }
        $memo = null;
        $data = function () use (&$memo, $operation, $status, $body) {
            return $memo ?? ($memo = self::decodeData($operation, $status, $body));
        };
        if ($itemClass === null) {
            return $class::fromReply($operation, $status, $body, $malformed, $typed, null, $data)
                ->withAttempts($attempts);
        }
        $items = [];
        foreach (is_array($typed) ? array_values($typed) : [] as $i => $item) {
            $items[] = $itemClass::fromTyped($item, null, function () use ($data, $i) {
                $all = $data();
                return is_array($all) ? ($all[$i] ?? null) : null;
            });
        }
        return ResultList::withItems($operation, $status, $body, $malformed, $items, $data)
            ->withAttempts($attempts);
    }

    /**
     * @param array<string, mixed> $attempts
     * @return static
     */
    private function withAttempts(array $attempts): self
    {
        $this->attempts = $attempts;
        return $this;
    }

    /**
     * @internal
     * @param list<string> $malformed
     * @param mixed $typed
     * @param mixed $raw
     * @return static
     */
    public static function fromReply(
        int $operation,
        int $httpStatus,
        string $rawBody,
        array $malformed,
        $typed,
        $raw,
        ?\Closure $loadRaw
    ): self {
        $result = static::fromTyped($typed, $raw, $loadRaw);
        $result->operation = $operation;
        $result->httpStatus = $httpStatus;
        $result->rawBody = $rawBody;
        $result->malformed = $malformed;
        return $result;
    }

    /**
     * The normalized data of a reply, decoded again by the library from its raw body (what
     * `raw` reads, on first use).
     *
     * @return mixed
     */
    private static function decodeData(int $operation, int $httpStatus, string $body)
    {
        $ffi = Native::ffi();
        $out = self::decodeNative($operation, $httpStatus, $body);
        try {
            $json = Native::ownedString($ffi->alphapo_response_json($out));
        } finally {
            $ffi->alphapo_response_free($out);
        }
        return json_decode((string) $json, true, 512, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING)['data'] ?? null;
    }

    /**
     * `alphapo_decode_reply`: the response handle of a reply (free it, or pass it to
     * fromNative()), or the exception for a refusal.
     *
     * @internal
     */
    public static function decodeNative(int $operation, int $httpStatus, string $body): CData
    {
        $out = Native::slot('alphapo_response');
        $error = Native::slot('alphapo_error');
        Native::check((int) Native::ffi()->alphapo_decode_reply(
            $operation,
            $httpStatus,
            Native::bytes($body),
            strlen($body),
            \FFI::addr($out),
            \FFI::addr($error)
        ), $error);
        return $out;
    }

    /** Whether the library kept some value verbatim because it could not understand it. */
    public function hasMalformed(): bool
    {
        return $this->malformed !== [];
    }
}
