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

    /** The properties loaded on first read, by lazy(). */
    protected const LAZY = ['raw' => true, 'data' => true, 'attempts' => true];

    /** Where summary() cuts off the attempts, the summary's last member. */
    private const ATTEMPTS_KEY = ',"attempts":{"total_us":';

    /** A `size_t` out-parameter, reused (PHP runs one call at a time per process). */
    private static ?CData $length = null;
    /** `&$length`, made once. */
    private static ?CData $lengthAddress = null;
    /** @var array<int, array{0: class-string<Result>, 1: class-string<Item>|null}> classOf() by operation */
    private static array $classes = [];
    /** Loads `raw` of a single result from its own reply, shared by all of them. */
    private static ?\Closure $loadOwnRaw = null;

    protected int $operation = 0;
    protected int $httpStatus = 0;
    /** @var list<string> */
    protected array $malformed = [];
    protected string $rawBody = '';
    /** @var array<string, mixed> */
    protected array $attempts = ['total_us' => 0, 'attempts' => []];
    /** `{"attempts": …}`, the attempts as JSON until `attempts` is first read. */
    private ?string $attemptsJson = null;

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
     * and attempts in one JSON string, and the raw body. `raw` and `attempts` are decoded
     * when first read.
     *
     * @internal
     */
    public static function fromNative(int $operation, CData $response): self
    {
        $ffi = Native::ffi();
        if (self::$length === null) {
            self::$length = $ffi->new('size_t');
            self::$lengthAddress = \FFI::addr(self::$length);
        }
        try {
            // A `const char*` result: PHP copies it into a string (NUL-terminated JSON).
            $summary = (string) $ffi->alphapo_response_summary_json($response, null);
            $body = Native::borrowedBytes(
                $ffi->alphapo_response_raw_body($response, self::$lengthAddress),
                (int) self::$length->cdata
            ) ?? '';
        } finally {
            $ffi->alphapo_response_free($response);
        }
        $reply = self::summary($summary);
        $status = (int) $reply['http_status'];
        $typed = $reply['result'];
        [$class, $itemClass] = self::$classes[$operation] ?? self::classesOf($operation);
        if ($itemClass === null) {
            // ping and the generic call: the typed result is the normalized data.
            $result = $class === Response::class
                ? $class::fromReply($operation, $status, $body, $reply['malformed'], $typed, $typed, null)
                : $class::fromReply($operation, $status, $body, $reply['malformed'], $typed, null, self::$loadOwnRaw
                    ?? (self::$loadOwnRaw = static function (Result $result) {
                        return self::decodeData($result->operation, $result->httpStatus, $result->rawBody);
                    }));
        } else {
            $memo = null;
            $data = function () use (&$memo, $operation, $status, $body) {
                return $memo ?? ($memo = self::decodeData($operation, $status, $body));
            };
            $items = [];
            foreach (\is_array($typed) ? \array_values($typed) : [] as $i => $item) {
                $items[] = $itemClass::fromTyped($item, null, function () use ($data, $i) {
                    $all = $data();
                    return \is_array($all) ? ($all[$i] ?? null) : null;
                });
            }
            $result = ResultList::withItems($operation, $status, $body, $reply['malformed'], $items, $data);
        }
        if (\is_string($reply['attempts'])) {
            $result->attemptsJson = $reply['attempts'];
        } else {
            $result->attempts = $reply['attempts'];
        }
        return $result;
    }

    /**
     * The members of a summary (`{"http_status": …, "malformed": […], "result": …,
     * "attempts": {"total_us": …}}`), `attempts` left as the JSON `{"attempts": …}` to
     * decode when first read (most callers never read it). The cut is made at the last
     * `,"attempts":{"total_us":`: only a member of the outer object leaves valid JSON
     * before it (a key inside `result` leaves more than one object open; a JSON string
     * cannot hold the unescaped `"`), and it must hold the other three members. Any other
     * layout decodes the whole summary.
     *
     * @return array{http_status: int, malformed: list<string>, result: mixed, attempts: array<string, mixed>|string}
     */
    private static function summary(string $summary): array
    {
        $cut = \strrpos($summary, self::ATTEMPTS_KEY);
        if ($cut !== false) {
            try {
                $reply = \json_decode(\substr($summary, 0, $cut) . '}', true, 512, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING);
                if (isset($reply['http_status'], $reply['malformed']) && \array_key_exists('result', $reply)) {
                    $reply['attempts'] = '{' . \substr($summary, $cut + 1);
                    return $reply;
                }
            } catch (\JsonException $e) {
                // another layout: decoded whole below
            }
        }
        return \json_decode($summary, true, 512, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING);
    }

    /**
     * classOf() the operations table's `result` of `$operation`, cached.
     *
     * @return array{0: class-string<Result>, 1: class-string<Item>|null}
     */
    private static function classesOf(int $operation): array
    {
        return self::$classes[$operation] = self::classOf(Operations::row($operation)['result'] ?? 'json');
    }

    /**
     * `attempts`, decoded from summary()'s JSON on first read, or `raw` (`data`).
     *
     * @return mixed
     */
    protected function lazy(string $property)
    {
        if ($property !== 'attempts') {
            return parent::lazy($property);
        }
        if ($this->attemptsJson !== null) {
            $this->attempts = json_decode($this->attemptsJson, true, 512, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING)['attempts'];
            $this->attemptsJson = null;
        }
        return $this->attempts;
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
