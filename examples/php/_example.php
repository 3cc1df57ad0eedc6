<?php

/*
 * What the PHP examples share (not an example itself): the package's autoloader and a client
 * configured from the environment.
 *
 * Environment: ALPHAPO_KEY, ALPHAPO_SECRET (defaults: the local sandbox's sandbox-key and
 * sandbox-secret), ALPHAPO_BASE_URL (e.g. the local sandbox's http://127.0.0.1:PORT/api/v2),
 * else ALPHAPO_ENVIRONMENT (default cryptoprocessing_sandbox).
 */

declare(strict_types=1);

// In your project: require 'vendor/autoload.php';
require_once __DIR__ . '/../../bindings/php/autoload.php';

/**
 * A client from the environment (see above), with `$options` (the client's own options;
 * appInfo defaults to alphapo-php-example/1.0).
 *
 * @param array<string, mixed> $options
 * @param string|null $defaultBaseUrl the base URL when ALPHAPO_BASE_URL is unset, instead of
 *     ALPHAPO_ENVIRONMENT
 */
function example_client(array $options = [], ?string $defaultBaseUrl = null): AlphaPo\Client
{
    $baseUrl = getenv('ALPHAPO_BASE_URL');
    if (is_string($baseUrl) && $baseUrl !== '') {
        $options['baseUrl'] = $baseUrl;
    } elseif ($defaultBaseUrl !== null) {
        $options['baseUrl'] = $defaultBaseUrl;
    } else {
        $options['environment'] = getenv('ALPHAPO_ENVIRONMENT') ?: 'cryptoprocessing_sandbox';
    }
    return new AlphaPo\Client(
        getenv('ALPHAPO_KEY') ?: 'sandbox-key',
        getenv('ALPHAPO_SECRET') ?: 'sandbox-secret',
        $options + ['appInfo' => 'alphapo-php-example/1.0']
    );
}
