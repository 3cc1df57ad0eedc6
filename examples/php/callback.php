<?php

/*
 * A callback (IPN) endpoint in plain PHP. It answers 200 only after the callback was verified
 * AND processed; anything else gets a non-200 status, so the service delivers it again later.
 *
 * Run it with PHP's built-in server (development only) and point the sandbox at it:
 *   ALPHAPO_SECRET=sandbox-secret php -d ffi.enable=1 -S 127.0.0.1:8000 examples/php/callback.php
 *   target/release/examples/sandbox --callback-url http://127.0.0.1:8000/callback
 * Under php-fpm, keep ffi.enable=preload and preload the package (bindings/php/README.md).
 *
 * Environment: ALPHAPO_SECRET (default sandbox-secret), ALPHAPO_KEY (default
 * sandbox-key; checked against the X-Processing-Key header when the service sends one: the
 * current docs name only the signature header), ALPHAPO_CALLBACK_LOG (the file
 * this example "processes" callbacks into; default: alphapo-callbacks.jsonl in the temp dir).
 */

declare(strict_types=1);

// In your project: require 'vendor/autoload.php';
require __DIR__ . '/../../bindings/php/autoload.php';

use AlphaPo\Callback;
use AlphaPo\Exception\AlphaPoException;
use AlphaPo\Exception\SignatureMismatchException;

function answer(int $status, string $text): void
{
    http_response_code($status);
    header('Content-Type: text/plain');
    echo $text, "\n";
}

if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
    answer(405, 'POST a signed callback here');
    return;
}

$secret = getenv('ALPHAPO_SECRET') ?: 'sandbox-secret';
$apiKey = getenv('ALPHAPO_KEY') ?: 'sandbox-key';

// 1. Verify, from the raw body bytes (Callback::fromGlobals reads php://input and the
//    X-Processing-Signature and X-Processing-Key headers). Never use $_POST or a re-encoded body.
try {
    $callback = Callback::fromGlobals($secret, $apiKey);
} catch (SignatureMismatchException $e) {
    error_log('alphapo callback refused: ' . $e->getMessage());
    answer(401, 'signature mismatch');
    return;
} catch (AlphaPoException $e) {
    error_log('alphapo callback not understood: ' . $e->getMessage());
    answer(400, 'bad callback');
    return;
}

// 2. Process each event once: the service may deliver the same event twice, and one
//    transaction has several events (each instalment of a partial-pay invoice is its own):
//    dedupeKey tells them apart. Here "processing" appends one line per new event to a file;
//    a shop would update the order in its database inside a transaction instead.
$log = getenv('ALPHAPO_CALLBACK_LOG') ?: sys_get_temp_dir() . '/alphapo-callbacks.jsonl';
try {
    $file = fopen($log, 'c+');
    if ($file === false || !flock($file, LOCK_EX)) {
        throw new RuntimeException("cannot open $log");
    }
    $seen = false;
    while (($line = fgets($file)) !== false) {
        $record = json_decode($line, true);
        if (is_array($record) && ($record['dedupe_key'] ?? null) === $callback->dedupeKey) {
            $seen = true;
            break;
        }
    }
    if (!$seen) {
        $record = [
            'dedupe_key' => $callback->dedupeKey,
            'id' => $callback->id,
            'type' => $callback->type,
            'status' => $callback->status,
            'foreign_id' => $callback->foreignId,
            'amount' => $callback->get('currency_received.amount'),
            'currency' => $callback->get('currency_received.currency'),
            // Ship the order only when fully paid: a partial-pay invoice sends "confirmed"
            // for every instalment, with an amount still remaining.
            'paid' => $callback->fullyPaid,
            'verified' => true,
        ];
        fseek($file, 0, SEEK_END);
        if (fwrite($file, json_encode($record, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR) . "\n") === false
            || !fflush($file)) {
            throw new RuntimeException("cannot write $log");
        }
    }
    flock($file, LOCK_UN);
    fclose($file);
} catch (Throwable $e) {
    error_log('alphapo callback processing failed: ' . $e->getMessage());
    answer(500, 'processing failed, send it again later');
    return;
}

// 3. Only now: 200.
error_log(sprintf('alphapo callback %s verified%s', $callback->dedupeKey, $seen ? ', already processed' : ', processed'));
answer(200, $seen ? 'OK (already processed)' : 'OK');
