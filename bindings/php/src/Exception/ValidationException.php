<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

use AlphaPo\Status;

/**
 * A documented field rule failed (`ALPHAPO_STATUS_VALIDATION`); nothing was sent.
 * getFieldErrors() lists every failed rule, field => message.
 */
class ValidationException extends InvalidArgumentException
{
    public const DEFAULT_STATUS = Status::VALIDATION;
}
