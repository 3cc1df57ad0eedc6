<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

use AlphaPo\Status;

/**
 * The `foreign_id` is already taken (`ALPHAPO_STATUS_DUPLICATE_FOREIGN_ID`): the operation may
 * already have happened, e.g. an earlier attempt whose reply was lost. Look it up before
 * trying again with a new foreign_id.
 */
class DuplicateForeignIdException extends ApiException
{
    public const DEFAULT_STATUS = Status::DUPLICATE_FOREIGN_ID;
}
