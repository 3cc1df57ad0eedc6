<?php

/*
 * opcache.preload script for php-fpm: compiles every AlphaPo class so that it may use FFI
 * under ffi.enable=preload, and checks that the library's header was preloaded.
 *
 *   opcache.enable=1
 *   opcache.preload=/path/to/alphapo/preload.php        (vendor/alphapo/alphapo/preload.php)
 *   opcache.preload_user=www-data                      (when the master runs as root)
 *   ffi.enable=preload
 *   ffi.preload=/path/to/alphapo/lib/alphapo-preload.h (written by bin/alphapo-install-lib)
 *
 * If you already have a preload script, require this file from it.
 */

declare(strict_types=1);

require_once __DIR__ . '/autoload.php';

AlphaPo\Preload::classes();

try {
    \FFI::scope(AlphaPo\Internal\Native::SCOPE);
} catch (\FFI\Exception $e) {
    trigger_error(
        'alphapo preload: FFI scope "' . AlphaPo\Internal\Native::SCOPE . '" is missing ('
        . $e->getMessage() . '): set ffi.preload to the header written by '
        . 'bin/alphapo-install-lib, or AlphaPo will fail under ffi.enable=preload',
        E_USER_WARNING
    );
}
