<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

/**
 * Every exception this package throws implements this interface: catch it to catch them all.
 *
 * The details come from the library's `alphapo_error` object: the status code (also
 * `getCode()`), the HTTP status of the reply (0 when none was received), the API's machine
 * code (`bad_header_signature`, `invalid_invoice_state`, ...), the message, the per-field
 * errors and the raw reply body exactly as received.
 *
 * It is an interface so that the argument errors can also be `\InvalidArgumentException`s
 * and the others `\RuntimeException`s:
 *
 * - InvalidArgumentException (extends \InvalidArgumentException): bad argument or option
 *   - ValidationException: a documented field rule failed; nothing was sent
 * - RuntimeException (extends \RuntimeException): what the library does not know yet
 *   - SignatureMismatchException: a callback or signature did not verify
 *   - ApiException: the API refused the request (400 `errors`, other 4xx)
 *     - AuthenticationException (403), DuplicateForeignIdException, RateLimitException (429),
 *       ServerException (5xx)
 *   - ConnectionException: connect, reset, DNS
 *     - TimeoutException, TlsException
 *   - DecodeException: the reply was not understood
 *   - OutcomeUnknownException: a money-moving request may have reached the service and its
 *     result is unknown: do not repeat it with a new foreign_id; wait for the callback or
 *     look it up with Client::reconcile(getForeignId())
 *   - PanicException: a bug inside the library
 */
interface AlphaPoException extends \Throwable
{
    /** The status code, an `AlphaPo\Status` constant (also returned by getCode()). */
    public function getStatus(): int;

    /** The C name of the status, e.g. `ALPHAPO_STATUS_DUPLICATE_FOREIGN_ID`. */
    public function getStatusName(): string;

    /** The HTTP status of the reply, or 0 when no reply was received. */
    public function getHttpStatus(): int;

    /** The API's machine code (`bad_header_signature`, ...), or null. */
    public function getApiCode(): ?string;

    /**
     * Per-field errors, field name (e.g. `title`, `sender_data.first_name`) => message.
     *
     * @return array<string, string>
     */
    public function getFieldErrors(): array;

    /** The raw reply body exactly as received (may be HTML), or null when there was none. */
    public function getRawBody(): ?string;

    /**
     * For OutcomeUnknownException (and a DuplicateForeignIdException met by a repeat): the
     * status of the last attempt's own failure (`Status::TIMEOUT`, `Status::RATE_LIMITED`,
     * ...), whose HTTP status, API code and raw body the exception carries; else null.
     */
    public function getCause(): ?int;

    /**
     * The `foreign_id` of the money-moving request that failed, when it had one: the key for
     * `Client::reconcile()`.
     */
    public function getForeignId(): ?string;

    /**
     * What happened during the failed call: `['total_us' => int, 'attempts' => [['status' =>
     * 'TRANSPORT', 'http_status' => 0, 'duration_us' => int, 'may_have_reached' => bool],
     * ...]]`, or null when nothing was sent (validation, bad arguments).
     *
     * @return array<string, mixed>|null
     */
    public function getAttempts(): ?array;
}
