<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

use AlphaPo\Status;

/**
 * A signature does not match the body (`ALPHAPO_STATUS_SIGNATURE_MISMATCH`): a forged or
 * altered callback, the wrong secret, a re-encoded body, or a wrong `X-Processing-Key`. Answer
 * such a callback with a non-200 status.
 */
class SignatureMismatchException extends RuntimeException
{
    public const DEFAULT_STATUS = Status::SIGNATURE_MISMATCH;
}
