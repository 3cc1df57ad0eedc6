<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

use AlphaPo\Status;

/**
 * A bad argument or option: bad UTF-8, a float amount, an unknown option, a bad configuration
 * value (`ALPHAPO_STATUS_INVALID_ARGUMENT`, also `NULL_ARGUMENT` and `BUFFER_TOO_SMALL`).
 * Nothing was sent.
 */
class InvalidArgumentException extends \InvalidArgumentException implements AlphaPoException
{
    use ExceptionDetails;

    public const DEFAULT_STATUS = Status::INVALID_ARGUMENT;
}
