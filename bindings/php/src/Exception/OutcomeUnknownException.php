<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

use AlphaPo\Status;

/**
 * A money-moving request may have reached the service and its result is unknown
 * (`ALPHAPO_STATUS_OUTCOME_UNKNOWN`): a lost reply, a timeout, a 5xx, or a later refusal after
 * such an attempt. Do not send it again with a new foreign_id: wait for its callback, or look
 * it up with `$client->reconcile($e->getForeignId())`. getCause() is the last attempt's own
 * failure; getHttpStatus(), getApiCode() and getRawBody() are its details.
 */
class OutcomeUnknownException extends RuntimeException
{
    public const DEFAULT_STATUS = Status::OUTCOME_UNKNOWN;
}
