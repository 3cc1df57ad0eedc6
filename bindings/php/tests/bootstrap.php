<?php

declare(strict_types=1);

if (is_file(__DIR__ . '/../vendor/alphapo/alphapo/composer.json')) {
    // A shop's Composer project with the package installed from its zip and this suite copied
    // into tests/ (tests/legacy): the package from vendor/, the suite's classes from here.
    (require __DIR__ . '/../vendor/autoload.php')->addPsr4('AlphaPo\\Tests\\', __DIR__ . '/');
} else {
    // The tests run without `composer install`: Debian's phpunit plus our own PSR-4 autoloader.
    require __DIR__ . '/../autoload.php';
}

if (!extension_loaded('ffi')) {
    fwrite(STDERR, "FATAL: the PHP FFI extension is not loaded (php -m must list FFI)\n");
    exit(1);
}
if (!in_array(strtolower((string) ini_get('ffi.enable')), ['1', 'on', 'true', 'preload'], true)) {
    fwrite(STDERR, 'FATAL: ffi.enable=' . ini_get('ffi.enable') . " forbids FFI in the test process\n");
    exit(1);
}
// Debian's php-psr-log (scripts/install-test-deps.sh installs it): the logger tests use a
// real Psr\Log\LoggerInterface. The package itself does not need psr/log.
if (!(@include_once 'Psr/Log/autoload.php') || !interface_exists('Psr\\Log\\LoggerInterface')) {
    fwrite(STDERR, "FATAL: psr/log is missing (Debian: apt-get install php-psr-log)\n");
    exit(1);
}
error_reporting(E_ALL);
