<?php

declare(strict_types=1);

namespace AlphaPo\Tests\Support;

/** `php [-d name=value ...] -S 127.0.0.1:PORT script` in its own process. */
final class PhpServer
{
    /** @var resource */
    private $process;
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
        $this->logFile = (string) tempnam(sys_get_temp_dir(), 'alphapo-php-server-');
        $command = [PHP_BINARY];
        foreach ($ini as $name => $value) {
            $command[] = '-d';
            $command[] = "$name=$value";
        }
        array_push($command, '-S', "127.0.0.1:{$this->port}", $script);
        $pipes = [];
        $process = proc_open($command, [
            0 => ['file', '/dev/null', 'r'],
            1 => ['file', $this->logFile, 'a'],
            2 => ['file', $this->logFile, 'a'],
        ], $pipes, dirname($script), $environment + getenv());
        if (!is_resource($process)) {
            throw new \RuntimeException('cannot start ' . implode(' ', $command));
        }
        $this->process = $process;
        try {
            Http::waitForPort($this->port);
        } catch (\RuntimeException $e) {
            $this->stop();
            throw new \RuntimeException($e->getMessage() . '; server log: ' . $this->log());
        }
    }

    public function log(): string
    {
        return (string) @file_get_contents($this->logFile);
    }

    public function stop(): void
    {
        if (isset($this->process) && is_resource($this->process)) {
            proc_terminate($this->process);
            proc_close($this->process);
        }
    }

    public function __destruct()
    {
        $this->stop();
        @unlink($this->logFile);
    }
}
