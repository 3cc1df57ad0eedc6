<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

use AlphaPo\Status;

/**
 * A bug inside the library (`ALPHAPO_STATUS_PANIC`, a caught Rust panic). Please report it.
 */
class PanicException extends RuntimeException
{
    public const DEFAULT_STATUS = Status::PANIC;
}
