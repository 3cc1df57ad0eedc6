<?php

declare(strict_types=1);

namespace AlphaPo;

/**
 * The library's status codes (`alphapo_status` in include/alphapo.h). PHP FFI cannot read C
 * constants, so they are mirrored here; tests/HeaderTest.php checks that they match the
 * header and `alphapo_status_name()`. The numbers are stable and never reused.
 */
final class Status
{
    public const OK = 0;
    public const NULL_ARGUMENT = 1;
    public const INVALID_ARGUMENT = 2;
    public const BUFFER_TOO_SMALL = 3;
    public const VALIDATION = 4;
    public const SIGNATURE_MISMATCH = 5;
    public const AUTH = 10;
    public const API = 11;
    public const DUPLICATE_FOREIGN_ID = 12;
    public const RATE_LIMITED = 13;
    public const SERVER = 14;
    public const TRANSPORT = 20;
    public const TIMEOUT = 21;
    public const TLS = 22;
    public const DECODE = 23;
    public const OUTCOME_UNKNOWN = 24;
    public const PANIC = 99;

    /** The C name of a status, e.g. `ALPHAPO_STATUS_DUPLICATE_FOREIGN_ID`. */
    public static function name(int $status): string
    {
        foreach ((new \ReflectionClass(self::class))->getConstants() as $name => $value) {
            if ($value === $status) {
                return 'ALPHAPO_STATUS_' . $name;
            }
        }
        return 'ALPHAPO_STATUS_UNKNOWN';
    }

    private function __construct()
    {
    }
}
