<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

use AlphaPo\Status;

/**
 * A connect or read timeout expired (`ALPHAPO_STATUS_TIMEOUT`). For an operation that moves
 * money, the request may have been processed: retry with the same foreign_id.
 */
class TimeoutException extends ConnectionException
{
    public const DEFAULT_STATUS = Status::TIMEOUT;
}
