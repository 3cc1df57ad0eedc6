<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

use AlphaPo\Status;

/**
 * The reply was not understood (`ALPHAPO_STATUS_DECODE`); getRawBody() holds it.
 */
class DecodeException extends RuntimeException
{
    public const DEFAULT_STATUS = Status::DECODE;
}
