<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

use AlphaPo\Status;

/**
 * HTTP 429 (`ALPHAPO_STATUS_RATE_LIMITED`); `exchange/calculate` allows 30 calls a minute.
 * Wait a minute before trying again.
 */
class RateLimitException extends ApiException
{
    public const DEFAULT_STATUS = Status::RATE_LIMITED;

    private ?int $retryAfter = null;

    /** Seconds the reply's `Retry-After` header asked to wait, or null when it gave none. */
    public function getRetryAfter(): ?int
    {
        return $this->retryAfter;
    }

    /** @internal set by the library when it builds the exception */
    public function setRetryAfter(?int $seconds): void
    {
        $this->retryAfter = $seconds;
    }
}
