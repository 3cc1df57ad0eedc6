<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

use AlphaPo\Status;

/**
 * The API refused the request (`ALPHAPO_STATUS_API`: HTTP 400 with `errors`, other 4xx).
 * getFieldErrors() holds the API's `errors` object, getApiCode() its `code`.
 */
class ApiException extends RuntimeException
{
    public const DEFAULT_STATUS = Status::API;
}
