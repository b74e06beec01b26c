#!/usr/bin/env bash
# Every benchmark, side by side in one run: bench/run.sh [RUNS]
# Needs Java 17+, Maven, moto_server and python3; jq, wrk, bc and GNU time are installed when missing (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
# the side-by-side peers and measuring tools, from Debian; installed when missing and run as root
missing=()
for tool in jq:jq wrk:wrk bc:bc /usr/bin/time:time; do
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
command -v moto_server >/dev/null || { echo "bench/run.sh: needs moto_server (pip install 'moto[server]')" >&2; exit 2; }
# one reactor run: the bench module's classpath names the modules just built, so nothing needs installing first
mvn -B -q package dependency:build-classpath -DskipTests -Dmdep.outputFile=target/classpath
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1)"
CP="bench/target/classes:$(cat bench/target/classpath)"
java -cp "$CP" dev.mtasts.bench.Bench . "$RUNS" 2>/dev/null | grep -v '^SLF4J'
java -cp "$CP" dev.mtasts.bench.LifecycleRequests 100 2>/dev/null | grep -v '^SLF4J\|^INFO\|^WARN'
bash bench/report-parse.sh "$RUNS"
# the resolver beside postfix-mta-sts-resolver; as root only (DNS and HTTPS on 127.0.0.2, a mount namespace)
echo
MTA_STS_BENCH_BUILT=1 bash bench/resolver.sh || echo "5. Resolver benchmark not run (bench/resolver.sh says why)"
