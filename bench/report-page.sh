#!/usr/bin/env bash
# What the reports page costs as the reports table fills: mta-sts reports --html in a JVM of its own against
# DynamoDB Local, with (a) the demo month, (b) 2,000 forged reports added in the window, (c) 100,000 reports added
# outside it; time and peak RSS (GNU time). About 4 minutes, most of it storing the 100,000 reports.
# Usage: bench/report-page.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "bench/report-page.sh: needs GNU time (apt-get install time)" >&2; exit 2; }
[ -f bench/target/classpath ] && [ -d bench/target/classes ] && [ -f functions/cli/target/mta-sts.jar ] ||
  mvn -B -q package dependency:build-classpath -DskipTests -Dmdep.outputFile=target/classpath >&2
exec java -cp "bench/target/classes:$(cat bench/target/classpath)" dev.mtasts.bench.ReportPageCost \
  functions/cli/target/mta-sts.jar "${1:-3}"
