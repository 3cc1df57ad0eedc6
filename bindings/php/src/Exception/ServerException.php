<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

use AlphaPo\Status;

/**
 * HTTP 5xx (`ALPHAPO_STATUS_SERVER`), after the retries the library allows for the operation.
 */
class ServerException extends ApiException
{
    public const DEFAULT_STATUS = Status::SERVER;
}
