<?php

/*
 * The shop's side of the Symfony recipe (symfony_callback.php): process each verified
 * callback event once, by its dedupeKey. A shop does this in its database, in the
 * transaction that updates the order (a unique key on dedupe_key). This stand-in appends one
 * JSON line per new event to the file named by ALPHAPO_CALLBACK_LOG (default:
 * alphapo-callbacks.jsonl in the temp directory).
 */

declare(strict_types=1);

use AlphaPo\Callback;

/** Processes a verified callback unless its event was processed before; true when it was new. */
function processOnce(Callback $callback): bool
{
    $path = getenv('ALPHAPO_CALLBACK_LOG') ?: sys_get_temp_dir() . '/alphapo-callbacks.jsonl';
    $store = fopen($path, 'a+');
    if ($store === false || !flock($store, LOCK_EX)) { // one event at a time, across processes
        throw new RuntimeException("cannot open $path");
    }
    try {
        rewind($store);
        while (($line = fgets($store)) !== false) {
            if (json_decode($line, true, 512, JSON_THROW_ON_ERROR)['dedupe_key'] === $callback->dedupeKey) {
                return false; // a repeated delivery: already processed
            }
        }
        if ($callback->fullyPaid) {
            // Ship the order $callback->foreignId here; never on status "confirmed" alone.
        }
        $line = json_encode([
            'dedupe_key' => $callback->dedupeKey,
            'id' => $callback->id,
            'type' => $callback->type,
            'status' => $callback->status,
            'foreign_id' => $callback->foreignId,
            'fully_paid' => $callback->fullyPaid,
            'received_amount' => $callback->get('currency_received.amount'), // a decimal string
        ], JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES);
        if (fwrite($store, $line . "\n") === false) {
            throw new RuntimeException("cannot write $path");
        }
        return true;
    } finally {
        flock($store, LOCK_UN);
        fclose($store);
    }
}
