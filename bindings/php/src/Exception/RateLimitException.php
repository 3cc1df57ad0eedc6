<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

use AlphaPo\Status;

/**
 * HTTP 429 (`ALPHAPO_STATUS_RATE_LIMITED`); `exchange/calculate` allows 30 calls a minute.
 * Wait a minute before trying again.
 */
class RateLimitException extends ApiException
{
    public const DEFAULT_STATUS = Status::RATE_LIMITED;
}
