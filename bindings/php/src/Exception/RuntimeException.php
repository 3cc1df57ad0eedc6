<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

use AlphaPo\Status;

/**
 * A failure that is not the caller's argument; also used as is for a status code this package
 * does not know yet.
 */
class RuntimeException extends \RuntimeException implements AlphaPoException
{
    use ExceptionDetails;

    public const DEFAULT_STATUS = Status::PANIC;
}
