<?php

/*
 * The start the two endpoints share (not an endpoint: nginx.conf and apache.conf serve only
 * invoice.php and callback.php): the project's autoloader and the POST-only guard.
 */

declare(strict_types=1);

require_once __DIR__ . '/../vendor/autoload.php'; // a no-op for the preloaded AlphaPo classes

/**
 * Starts the answer as `$contentType`. Anything but a POST gets 405 and `$usage`, and false:
 * the endpoint then stops.
 */
function endpoint_accepts_post(string $contentType, string $usage): bool
{
    header('Content-Type: ' . $contentType);
    if (($_SERVER['REQUEST_METHOD'] ?? '') === 'POST') {
        return true;
    }
    http_response_code(405);
    echo $usage, "\n";
    return false;
}
