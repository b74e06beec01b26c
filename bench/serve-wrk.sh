#!/usr/bin/env bash
# Keep-alive GETs of the policy from the local stack (mta-sts serve) under wrk, 8 connections:
# bench/serve-wrk.sh [SECONDS]. Builds first when the jars or the bench classes are missing. Needs wrk, curl, python3.
# Targets: p50 <= 5 ms, p99 <= 20 ms, every answer a 200.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f bench/target/classpath ] && [ -d bench/target/classes ] && [ -f functions/cli/target/mta-sts.jar ] ||
  mvn -B -q package dependency:build-classpath -DskipTests -Dmdep.outputFile=target/classpath >&2
SECONDS_RUN=${1:-10}
DOMAIN=example.com
JAR=functions/cli/target/mta-sts.jar
CP="bench/target/classes:$(cat bench/target/classpath)"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
DB=$(free_port)
WORK=$(mktemp -d)
echo '[]' > "$WORK/domains.json"
# the full stack (DynamoDB Local, moto_server, the lifecycle): the domain is served as a new one is in AWS, once
# the lifecycle has seeded its policy from the zone's MX hosts, about 2 s after it is added
# SERVE_JAVA_OPTS: JVM options for serve, e.g. a flight recording or a setting to compare with
java ${SERVE_JAVA_OPTS:-} -jar "$JAR" serve --port "$PORT" --dynamodb-port "$DB" --domains "$WORK/domains.json" \
    --data-dir "$WORK/data" > "$WORK/serve.log" 2>&1 &
SERVE=$!
stop() {
    # SIGTERM runs serve's shutdown hook: the servers and moto_server are closed
    kill -TERM "$SERVE" 2>/dev/null || true
    wait "$SERVE" 2>/dev/null || true
    rm -rf "$WORK"
}
trap stop EXIT
fail() {
    echo "serve-wrk: $1; serve's log:" >&2
    tail -20 "$WORK/serve.log" >&2
    exit 1
}
t0=$(date +%s%N)
for _ in $(seq 600); do
    grep -q 'Press Ctrl-C to stop.' "$WORK/serve.log" && break
    kill -0 "$SERVE" 2>/dev/null || fail "serve exited"
    sleep 0.1
done
grep -q 'Press Ctrl-C to stop.' "$WORK/serve.log" || fail "serve not up in 60 s"
up=$((($(date +%s%N) - t0) / 1000000))
java -jar "$JAR" domain add "$DOMAIN" --endpoint-url "http://127.0.0.1:$DB" > /dev/null
t1=$(date +%s%N)
URL="http://127.0.0.1:$PORT/.well-known/mta-sts.txt"
code=000
for _ in $(seq 300); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: mta-sts.$DOMAIN" "$URL" || true)
    [ "$code" = 200 ] && break
    sleep 0.2
done
[ "$code" = 200 ] || fail "mta-sts.$DOMAIN answers $code, not 200, 60 s after domain add"
served=$((($(date +%s%N) - t1) / 1000000))
echo "Stack up in $up ms (serve's own figure: $(grep -o 'up in [0-9]* ms' "$WORK/serve.log")); $DOMAIN served 200 $served ms after domain add"
curl -s -H "Host: mta-sts.$DOMAIN" "$URL" | sed 's/^/  /'
echo "DynamoDB Local, the row read straight (GetItem, the CLI's client, another JVM, 3 s after a 3 s warm-up):"
for threads in 1 8; do
    echo "  $threads thread(s): $(java -cp "$CP" dev.mtasts.bench.GetItemLatency "http://127.0.0.1:$DB" "$DOMAIN" "$threads" 3 2>/dev/null)"
done
wrk -t2 -c8 -d3s -H "Host: mta-sts.$DOMAIN" "$URL" > /dev/null # warm-up: compiled code, pooled connections
echo "wrk -t2 -c8 -d${SECONDS_RUN}s --latency -H 'Host: mta-sts.$DOMAIN' $URL"
cpu() { awk '{print $14 + $15}' "/proc/$SERVE/stat"; } # serve's CPU time, in clock ticks
cpu0=$(cpu)
out=$(wrk -t2 -c8 -d"${SECONDS_RUN}s" --latency -H "Host: mta-sts.$DOMAIN" "$URL")
cpu1=$(cpu)
echo "$out" | sed 's/^/  /'
ms() { # wrk's 1.23ms / 456.00us / 1.02s as milliseconds
    awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
p50=$(ms "$(echo "$out" | awk '$1 == "50%" {print $2}')")
p99=$(ms "$(echo "$out" | awk '$1 == "99%" {print $2}')")
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
requests=$(echo "$out" | awk '/requests in/ {print $1}')
non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
non2xx=${non2xx:-0}
errors=$(echo "$out" | awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}')
errors=${errors:-0}
cpu_per_request=$(echo "scale=2; ($cpu1 - $cpu0) * 1000 / $(getconf CLK_TCK) / $requests" | bc)
logged=$(grep -c "^GET mta-sts.$DOMAIN/.well-known/mta-sts.txt -> 200" "$WORK/serve.log" || true)
verdict() { [ "$1" = 1 ] && echo met || echo missed; }
echo "serve keep-alive GET: p50 $p50 ms (target <= 5: $(verdict "$(echo "$p50 <= 5" | bc)")), p99 $p99 ms" \
    "(target <= 20: $(verdict "$(echo "$p99 <= 20" | bc)")), $rps requests/s, $requests requests," \
    "non-2xx $non2xx, socket errors $errors (target 0: $(verdict "$([ "$non2xx" = 0 ] && [ "$errors" = 0 ] && echo 1)"))," \
    "$logged logged as 200; serve's CPU $cpu_per_request ms per request ($(nproc) cores)"
