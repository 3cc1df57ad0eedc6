<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

use AlphaPo\Status;

/**
 * The TLS handshake or certificate verification failed (`ALPHAPO_STATUS_TLS`).
 */
class TlsException extends ConnectionException
{
    public const DEFAULT_STATUS = Status::TLS;
}
