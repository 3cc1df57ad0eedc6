<?php

declare(strict_types=1);

namespace AlphaPo\Tests\Support;

/**
 * A test's child process (a sandbox, a `php -S` server): standard input from /dev/null,
 * standard error (and standard output unless it is piped) appended to a temporary log file.
 * stop() terminates it; the destructor stops it and removes the log.
 */
final class ChildProcess
{
    /** @var resource */
    private $process;
    public string $logFile;
    /** @var resource|null standard output, when $pipeStdout */
    public $stdout = null;

    /**
     * @param list<string> $command
     * @param array<string, string>|null $environment null: this process's
     */
    public function __construct(
        array $command,
        string $logPrefix,
        bool $pipeStdout = false,
        ?string $directory = null,
        ?array $environment = null
    ) {
        $this->logFile = (string) tempnam(sys_get_temp_dir(), $logPrefix);
        $pipes = [];
        $process = proc_open($command, [
            0 => ['file', '/dev/null', 'r'],
            1 => $pipeStdout ? ['pipe', 'w'] : ['file', $this->logFile, 'a'],
            2 => ['file', $this->logFile, 'a'],
        ], $pipes, $directory, $environment);
        if (!is_resource($process)) {
            @unlink($this->logFile);
            throw new \RuntimeException('cannot start ' . implode(' ', $command));
        }
        $this->process = $process;
        $this->stdout = $pipes[1] ?? null;
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
