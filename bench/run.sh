#!/usr/bin/env bash
# Every benchmark, side by side in one run: bench/run.sh [RUNS]
# Needs Java 17+, Maven, moto_server, jq, python3 and GNU time (apt-get install jq time bc).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
# one reactor run: the bench module's classpath names the modules just built, so nothing needs installing first
mvn -B -q package dependency:build-classpath -DskipTests -Dmdep.outputFile=target/classpath
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1)"
CP="bench/target/classes:$(cat bench/target/classpath)"
java -cp "$CP" dev.mtasts.bench.Bench . "$RUNS" 2>/dev/null | grep -v '^SLF4J'
java -cp "$CP" dev.mtasts.bench.LifecycleRequests 100 2>/dev/null | grep -v '^SLF4J\|^INFO\|^WARN'
bash bench/report-parse.sh "$RUNS"
# the resolver beside postfix-mta-sts-resolver; as root only (DNS and HTTPS on 127.0.0.2, a mount namespace)
echo
bash bench/resolver.sh || echo "5. Resolver benchmark not run (bench/resolver.sh says why)"
