<?php

/*
 * Callback (IPN) endpoint of a shop served by php-fpm (or Apache mod_php) with the preload
 * recipe of README.md in this folder. 200 only once the callback was verified and recorded;
 * 401 for a bad signature, 400 for a body that is not a callback, 500 when it could not be
 * recorded (the service then delivers it again).
 *
 * Environment (php-fpm: env[...] in the pool; Apache: SetEnv): ALPHAPO_SECRET, ALPHAPO_KEY
 * (checked against X-Processing-Key when sent), ALPHAPO_CALLBACK_LOG (the file the events
 * are recorded in, one JSON line per event; a shop updates its orders table instead).
 */

declare(strict_types=1);

require __DIR__ . '/_endpoint.php'; // the autoloader and endpoint_accepts_post()

use AlphaPo\Callback;
use AlphaPo\Exception\AlphaPoException;
use AlphaPo\Exception\SignatureMismatchException;

if (!endpoint_accepts_post('text/plain', 'POST a signed callback here')) {
    return;
}

// Verified from the raw body (php://input) and the X-Processing-* headers, then parsed.
try {
    $callback = Callback::fromGlobals((string) getenv('ALPHAPO_SECRET'), (string) getenv('ALPHAPO_KEY'));
} catch (SignatureMismatchException $e) {
    http_response_code(401);
    echo "signature mismatch\n";
    return;
} catch (AlphaPoException $e) {
    http_response_code(400);
    echo "bad callback\n";
    return;
}

// Each event once: dedupeKey tells a repeated delivery from a new event.
$log = (string) getenv('ALPHAPO_CALLBACK_LOG');
$file = @fopen($log, 'c+');
if ($file === false || !flock($file, LOCK_EX)) {
    error_log("alphapo callback: cannot open $log");
    http_response_code(500);
    echo "not recorded, send it again later\n";
    return;
}
$seen = false;
while (!$seen && ($line = fgets($file)) !== false) {
    $seen = (json_decode($line, true)['dedupe_key'] ?? null) === $callback->dedupeKey;
}
$written = true;
if (!$seen) {
    $record = json_encode([
        'dedupe_key' => $callback->dedupeKey,
        'type' => $callback->type,
        'status' => $callback->status,
        'foreign_id' => $callback->foreignId,
        'paid' => $callback->fullyPaid, // ship the order only when fully paid
        'pid' => getmypid(),
    ], JSON_UNESCAPED_SLASHES) . "\n";
    fseek($file, 0, SEEK_END);
    $written = fwrite($file, $record) === strlen($record) && fflush($file);
}
flock($file, LOCK_UN);
fclose($file);
if (!$written) {
    http_response_code(500);
    echo "not recorded, send it again later\n";
    return;
}
echo $seen ? "OK (already recorded)\n" : "OK\n";
