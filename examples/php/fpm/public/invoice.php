<?php

/*
 * Invoice endpoint of a shop served by php-fpm (or Apache mod_php) with the preload recipe of
 * README.md in this folder: POST foreign_id=...&amount=... creates an invoice and answers
 * {"id", "foreign_id", "status", "amount", "currency", "url"} as JSON.
 *
 * Environment (php-fpm: env[...] in the pool; Apache: SetEnv): ALPHAPO_KEY, ALPHAPO_SECRET,
 * ALPHAPO_BASE_URL (e.g. the local sandbox's http://127.0.0.1:PORT/api/v2; unset: the
 * CryptoProcessing sandbox service).
 */

declare(strict_types=1);

require __DIR__ . '/_endpoint.php'; // the autoloader and endpoint_accepts_post()

use AlphaPo\Client;
use AlphaPo\Exception\AlphaPoException;
use AlphaPo\Exception\ValidationException;

if (!endpoint_accepts_post('application/json', (string) json_encode(['error' => 'POST foreign_id and amount']))) {
    return;
}

$options = ['timeout' => 30, 'appInfo' => 'alphapo-fpm-example/1.0'];
$baseUrl = getenv('ALPHAPO_BASE_URL');
if (is_string($baseUrl) && $baseUrl !== '') {
    $options['baseUrl'] = $baseUrl;
} else {
    $options['environment'] = 'cryptoprocessing_sandbox';
}
$client = new Client((string) getenv('ALPHAPO_KEY'), (string) getenv('ALPHAPO_SECRET'), $options);

try {
    $invoice = $client->createInvoice([
        'title' => 'Order',
        'currency' => 'EUR',
        'amount' => (string) ($_POST['amount'] ?? ''), // a decimal string, never a float
        'foreign_id' => (string) ($_POST['foreign_id'] ?? ''),
        'end_user_reference' => 'customer-42',
        'url_success' => 'https://shop.example.com/paid',
        'url_failed' => 'https://shop.example.com/failed',
    ]);
} catch (ValidationException $e) {
    http_response_code(422); // nothing was sent
    echo json_encode(['error' => $e->getMessage(), 'fields' => $e->getFieldErrors()]), "\n";
    return;
} catch (AlphaPoException $e) {
    // Log the status name, never the request: it may hold personal data.
    error_log('alphapo invoice failed: ' . $e->getStatusName());
    http_response_code(502);
    echo json_encode(['error' => $e->getStatusName()]), "\n";
    return;
}

echo json_encode([
    'id' => $invoice->id,
    'foreign_id' => $invoice->foreignId,
    'status' => $invoice->status,
    'amount' => $invoice->amount,
    'currency' => $invoice->currency,
    'url' => $invoice->url,
], JSON_UNESCAPED_SLASHES), "\n";
