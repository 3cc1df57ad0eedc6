<?php

/*
 * A withdrawal that is never sent twice. When its outcome is unknown (the reply was lost, or
 * the service timed out or failed after the request may have arrived), the library throws
 * OutcomeUnknownException instead of guessing; this program then looks the withdrawal up by
 * its foreign_id ($client->reconcile()) instead of sending it again with a new one.
 *
 *   ALPHAPO_BASE_URL=http://127.0.0.1:PORT/api/v2 php examples/php/withdraw.php [foreign_id]
 *
 * Prints "withdrawal <foreign_id>: <status>" and exits 0 once the answer is known, directly or
 * by reconciling; exits 3 while it is still unknown (wait for the withdrawal's callback, then
 * reconcile again), 1 on a definite refusal (nothing was applied).
 */

declare(strict_types=1);

// The autoloader (in your project: require 'vendor/autoload.php') and example_client().
require __DIR__ . '/_example.php';

use AlphaPo\Exception\AlphaPoException;
use AlphaPo\Exception\OutcomeUnknownException;
use AlphaPo\Status;

$client = example_client([], 'http://127.0.0.1:8080/api/v2'); // an AlphaPo\Client
$foreignId = $argv[1] ?? 'payout-' . time();

try {
    $withdrawal = $client->withdraw([
        'currency' => 'BTC',
        'address' => 'tb1qexampledestination',
        'amount' => '0.001',               // a decimal string; a float is refused
        'foreign_id' => $foreignId,
        'end_user_reference' => 'customer-42',
    ]);
    echo "withdrawal $foreignId: {$withdrawal->status}\n";
    exit(0);
} catch (OutcomeUnknownException $e) {
    // Never send it again with a new foreign_id: it may have gone out. Look it up.
    echo 'outcome unknown (' . Status::name((int) $e->getCause()) . '): ' . $e->getMessage() . "\n";
    $found = $client->reconcile((string) $e->getForeignId());
    if ($found === null) {
        echo "withdrawal $foreignId: not found yet; wait for its callback\n";
        exit(3);
    }
    echo "withdrawal $foreignId: {$found->status} (reconciled)\n";
    exit(0);
} catch (AlphaPoException $e) {
    fwrite(STDERR, "withdrawal $foreignId refused: {$e->getMessage()}\n");
    exit(1);
}
