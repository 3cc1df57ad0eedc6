<?php

declare(strict_types=1);

namespace AlphaPo\Internal;

use AlphaPo\Exception;
use AlphaPo\Exception\AlphaPoException;
use AlphaPo\Status;
use FFI\CData;

/**
 * Builds exceptions: the only place that reads `alphapo_error` objects, and the one mapping
 * from status codes to exception classes.
 *
 * @internal
 */
final class Errors
{
    /** Status code => exception class. Anything else becomes Exception\RuntimeException. */
    public const CLASSES = [
        Status::NULL_ARGUMENT => Exception\InvalidArgumentException::class,
        Status::INVALID_ARGUMENT => Exception\InvalidArgumentException::class,
        Status::BUFFER_TOO_SMALL => Exception\InvalidArgumentException::class,
        Status::VALIDATION => Exception\ValidationException::class,
        Status::SIGNATURE_MISMATCH => Exception\SignatureMismatchException::class,
        Status::AUTH => Exception\AuthenticationException::class,
        Status::API => Exception\ApiException::class,
        Status::DUPLICATE_FOREIGN_ID => Exception\DuplicateForeignIdException::class,
        Status::RATE_LIMITED => Exception\RateLimitException::class,
        Status::SERVER => Exception\ServerException::class,
        Status::TRANSPORT => Exception\ConnectionException::class,
        Status::TIMEOUT => Exception\TimeoutException::class,
        Status::TLS => Exception\TlsException::class,
        Status::DECODE => Exception\DecodeException::class,
        Status::OUTCOME_UNKNOWN => Exception\OutcomeUnknownException::class,
        Status::PANIC => Exception\PanicException::class,
    ];

    /**
     * The exception for a failed call: reads every detail of the `alphapo_error*` in
     * `$error` (when the call produced one), then frees it.
     */
    public static function fromNative(int $status, ?CData $error): AlphaPoException
    {
        $ffi = Native::ffi();
        if ($error === null || \FFI::isNull($error)) {
            return self::create($status, self::statusName($status));
        }
        try {
            $status = (int) $ffi->alphapo_error_status($error);
            $httpStatus = (int) $ffi->alphapo_error_http_status($error);
            $message = $ffi->alphapo_error_message($error);
            $code = $ffi->alphapo_error_code($error);
            // The core's field errors, a field's messages already joined by the core.
            $fields = self::fields(Native::ownedString($ffi->alphapo_error_fields_json($error)));
            $retryAfter = (int) $ffi->alphapo_error_retry_after($error);
            $cause = (int) $ffi->alphapo_error_cause($error);
            $foreignId = $ffi->alphapo_error_foreign_id($error);
            $attempts = Native::ownedString($ffi->alphapo_error_attempts_json($error));
            $length = $ffi->new('size_t');
            $raw = Native::borrowedBytes(
                $ffi->alphapo_error_raw_body($error, \FFI::addr($length)),
                (int) $length->cdata
            );
        } finally {
            $ffi->alphapo_error_free($error);
        }
        $exception = self::create(
            $status,
            $message ?? self::statusName($status),
            $httpStatus,
            $code,
            $fields,
            $raw
        );
        $exception->setOrigin($cause !== $status ? $cause : null, $foreignId);
        $decoded = $attempts === null ? null : json_decode($attempts, true);
        $exception->setAttempts(is_array($decoded) ? $decoded : null);
        if ($exception instanceof Exception\RateLimitException) {
            $exception->setRetryAfter($retryAfter > 0 ? $retryAfter : null);
        }
        return $exception;
    }

    /** @param array<string, string> $fields */
    public static function create(
        int $status,
        string $message,
        int $httpStatus = 0,
        ?string $code = null,
        array $fields = [],
        ?string $rawBody = null
    ): AlphaPoException {
        $class = self::CLASSES[$status] ?? Exception\RuntimeException::class;
        return new $class($message, $status, $httpStatus, $code, $fields, $rawBody);
    }

    private static function statusName(int $status): string
    {
        return (string) Native::ffi()->alphapo_status_name($status);
    }

    /**
     * The field errors from the core's JSON object (field => message).
     *
     * @return array<string, string>
     */
    private static function fields(?string $json): array
    {
        $decoded = $json === null ? null : json_decode($json, true);
        $fields = [];
        foreach (is_array($decoded) ? $decoded : [] as $name => $message) {
            $fields[(string) $name] = (string) $message;
        }
        return $fields;
    }
}
