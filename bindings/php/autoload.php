<?php

declare(strict_types=1);

/*
 * A PSR-4 autoloader for the AlphaPo namespace, for use without Composer (the tests, the
 * examples and preload.php use it). With Composer, require vendor/autoload.php instead.
 */

spl_autoload_register(static function (string $class): void {
    $prefixes = [
        'AlphaPo\\Tests\\' => __DIR__ . '/tests/',
        'AlphaPo\\' => __DIR__ . '/src/',
    ];
    foreach ($prefixes as $prefix => $dir) {
        if (strncmp($class, $prefix, strlen($prefix)) === 0) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
            return;
        }
    }
});
