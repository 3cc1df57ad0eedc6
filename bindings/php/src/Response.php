<?php

declare(strict_types=1);

namespace AlphaPo;

/**
 * A reply without a typed shape: `ping` (`data` is `"OK"`) and the generic
 * {@see Client::request()} (`data` is the normalized JSON). Read `data` (the same as `raw`),
 * `$response['field']` or `$response->get('a.b')`.
 */
final class Response extends Result
{
}
