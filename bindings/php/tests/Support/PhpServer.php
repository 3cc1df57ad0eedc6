<?php

declare(strict_types=1);

namespace AlphaPo\Tests\Support;

/** `php [-d name=value ...] -S 127.0.0.1:PORT script` in its own process. */
final class PhpServer
{
    private ChildProcess $process;
    public int $port;
    public string $url;
    public string $logFile;

    /**
     * examples/php/callback.php, the README's callback endpoint, with the sandbox's key and
     * secret and its processed events recorded in `$log` (read them with CallbackLog).
     */
    public static function callbackExample(string $log): self
    {
        return new self(dirname(__DIR__, 4) . '/examples/php/callback.php', ['ffi.enable' => '1'], [
            'ALPHAPO_SECRET' => Sandbox::SECRET,
            'ALPHAPO_KEY' => Sandbox::KEY,
            'ALPHAPO_CALLBACK_LOG' => $log,
        ]);
    }

    /**
     * @param array<string, string> $ini settings passed with -d
     * @param array<string, string> $environment added to this process's environment
     */
    public function __construct(string $script, array $ini = [], array $environment = [])
    {
        $this->port = Http::freePort();
        $this->url = "http://127.0.0.1:{$this->port}";
        $command = [PHP_BINARY];
        foreach ($ini as $name => $value) {
            $command[] = '-d';
            $command[] = "$name=$value";
        }
        array_push($command, '-S', "127.0.0.1:{$this->port}", $script);
        $this->process = new ChildProcess($command, 'alphapo-php-server-', false, dirname($script), $environment + getenv());
        $this->logFile = $this->process->logFile;
        try {
            Http::waitForPort($this->port);
        } catch (\RuntimeException $e) {
            $this->stop();
            throw new \RuntimeException($e->getMessage() . '; server log: ' . $this->log());
        }
    }

    public function log(): string
    {
        return $this->process->log();
    }

    public function stop(): void
    {
        $this->process->stop();
    }
}
