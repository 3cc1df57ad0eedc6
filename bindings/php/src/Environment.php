<?php

declare(strict_types=1);

namespace AlphaPo;

/**
 * The known API hosts (`alphapo_environment` in include/alphapo.h), for the `environment`
 * option of {@see Client}: a constant or its lowercase name (`'cryptoprocessing_sandbox'`).
 * Mirrored from the header; tests/HeaderTest.php checks that they match.
 */
final class Environment
{
    /** `https://app.alphapo.net/api/v2` (the default). */
    public const ALPHAPO = 0;
    /** `https://app.cryptoprocessing.com/api/v2`. */
    public const CRYPTOPROCESSING = 1;
    /** `https://app.sandbox.cryptoprocessing.com/api/v2`. */
    public const CRYPTOPROCESSING_SANDBOX = 2;
    /** `https://app.lt.cryptoprocessing.com/api/v2`. */
    public const CRYPTOPROCESSING_LT = 3;
    /** `https://app.coinspaid.com/api/v2` (legacy host). */
    public const COINSPAID = 4;

    /**
     * The environment number for a constant or a name such as `'coinspaid'`.
     *
     * @param int|string $environment
     * @throws Exception\InvalidArgumentException for an unknown name or a non-integer
     */
    public static function fromName($environment): int
    {
        if (is_int($environment)) {
            return $environment; // range checked by the library
        }
        $constants = (new \ReflectionClass(self::class))->getConstants();
        $key = strtoupper(str_replace('-', '_', trim($environment)));
        if (!array_key_exists($key, $constants)) {
            throw new Exception\InvalidArgumentException(sprintf(
                'unknown environment "%s"; known: %s (or use the baseUrl option)',
                $environment,
                implode(', ', array_map('strtolower', array_keys($constants)))
            ), Status::INVALID_ARGUMENT);
        }
        return $constants[$key];
    }

    private function __construct()
    {
    }
}
