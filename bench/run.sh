#!/usr/bin/env bash
# Every benchmark, side by side in one run: bench/run.sh [RUNS]
# Needs Java 17+, Maven, moto_server and python3; jq, wrk, bc, curl and GNU time are installed when missing (as
# root). The resolver section needs root too. About 10 minutes on 2 cores. RUNS: alternating runs for the parser, the
# cold start and the command beside jq. A section that fails says so and the run goes on; what the sections write to
# stderr is kept in bench/target/bench.log.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
# the side-by-side peers and measuring tools, from Debian; installed when missing and run as root
missing=()
for tool in jq:jq wrk:wrk bc:bc curl:curl /usr/bin/time:time; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bench/run.sh: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bench/run.sh: needs ${missing[*]} (apt-get install ${missing[*]})" >&2
    exit 2
  fi
fi
command -v moto_server >/dev/null ||
  { echo "bench/run.sh: needs moto_server (in a Python virtual environment: pip install 'moto[server]')" >&2; exit 2; }
# one reactor run: the bench module's classpath names the modules just built, so nothing needs installing first
mvn -B -q package dependency:build-classpath -DskipTests -Dmdep.outputFile=target/classpath >&2
CP="bench/target/classes:$(cat bench/target/classpath)"
LOG=bench/target/bench.log
: > "$LOG"
failed=0
section() { echo; echo "== $1"; echo "== $1" >> "$LOG"; }
# a section that misses a target or fails is reported, and the others still run
run() { "$@" 2>>"$LOG" || { echo "   (this section exited $?: see $LOG)"; failed=$((failed + 1)); }; }
jvm() { java -cp "$CP" "$@" | grep -v '^SLF4J\|^INFO\|^WARN'; } # the lifecycle's own log lines left out

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1), load $(cut -d' ' -f1 /proc/loadavg)"
section "1. The report parser, warm and in process, beside jq"
run bash bench/parser.sh "$((RUNS + 2))"
section "2. What one stored report costs the reports function"
run bash bench/report-cost.sh
section "3. The policy function against a sick DynamoDB"
run bash bench/policy-sick.sh
section "4. The local stack's keep-alive policy GET under wrk"
run bash bench/serve-wrk.sh
section "5. Policy cold start, SnapStart priming, artifacts"
run jvm dev.mtasts.bench.Bench . "$RUNS"
section "6. What the domain lifecycle asks of AWS"
run jvm dev.mtasts.bench.LifecycleRequests 100
section "7. The mta-sts command beside jq, gzip bomb"
run bash bench/report-parse.sh "$RUNS"
# the resolver beside postfix-mta-sts-resolver; as root only (DNS and HTTPS on 127.0.0.2, a mount namespace)
section "8. mta-sts resolver beside postfix-mta-sts-resolver"
run env MTA_STS_BENCH_BUILT=1 bash bench/resolver.sh
section "9. The reports page as the reports table fills"
run bash bench/report-page.sh
echo
[ "$failed" = 0 ] && echo "Every section ran." || { echo "$failed section(s) did not finish: see $LOG"; exit 1; }
