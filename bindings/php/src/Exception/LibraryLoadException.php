<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

use AlphaPo\Status;

/**
 * libalphapo or its header could not be found or loaded, or FFI is not allowed here. The
 * message names every place that was tried and what to do.
 */
class LibraryLoadException extends RuntimeException
{
    public const DEFAULT_STATUS = Status::INVALID_ARGUMENT;
}
