# Sourced by the scripts that start the sandbox or an example endpoint (tests/c/run.sh,
# scripts/demo.sh, scripts/stress.sh, scripts/sanitizers.sh, bench/run.sh).
#
# listening LOG [SECONDS]: waits (10 s by default) for the first line that announces an
# address in LOG, "listening on URL" (the sandbox, the C and Python example endpoints) or
# PHP's "Development Server (URL) started", and prints the URL. Fails loudly, printing LOG.
listening() {
    local log=$1 tries=$((${2:-10} * 10)) url=
    for _ in $(seq "$tries"); do
        url=$(sed -n -e 's/^.*listening on //p' -e 's/^.*Development Server (\(.*\)) started.*/\1/p' "$log" | head -n 1)
        if [ -n "$url" ]; then
            echo "$url"
            return 0
        fi
        sleep 0.1
    done
    echo "no 'listening on' line in $log:" >&2
    cat "$log" >&2
    return 1
}
