<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

use AlphaPo\Status;

/**
 * The API refused the key or the signature (HTTP 403, `ALPHAPO_STATUS_AUTH`); getApiCode()
 * says which (`bad_header_key`, `bad_header_signature`, ...).
 */
class AuthenticationException extends ApiException
{
    public const DEFAULT_STATUS = Status::AUTH;
}
