<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

use AlphaPo\Status;

/**
 * No reply: connect, reset or DNS failure (`ALPHAPO_STATUS_TRANSPORT`). For an operation that
 * moves money, the request may have been processed: retry with the same foreign_id.
 */
class ConnectionException extends RuntimeException
{
    public const DEFAULT_STATUS = Status::TRANSPORT;
}
