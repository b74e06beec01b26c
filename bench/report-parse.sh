#!/usr/bin/env bash
# The command's report parsing, side by side: `mta-sts report parse` and jq computing each report's per-domain totals on the
# same files; alternating runs, median and spread; peak RSS; time to reject a gzip bomb.
# Usage: bench/report-parse.sh [RUNS]   (needs jq and GNU time: apt-get install jq time)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f bench/target/classpath ] && [ -d bench/target/classes ] && [ -f functions/cli/target/mta-sts.jar ] ||
  mvn -B -q package dependency:build-classpath -DskipTests -Dmdep.outputFile=target/classpath >&2
RUNS=${1:-5}
JAR=functions/cli/target/mta-sts.jar
DATA=bench/target/corpus
BIG="--max-size 200000000 --max-decompressed 200000000"
JQ='[.policies[] | {d: .policy["policy-domain"], s: .summary["total-successful-session-count"], f: .summary["total-failure-session-count"]}] | group_by(.d) | map({domain: .[0].d, ok: (map(.s) | add), failed: (map(.f) | add)})'
[ -f "$DATA/large.json" ] || python3 bench/gen-reports.py "$DATA" --small 2000 --details 100000 >&2

secs() { /usr/bin/time -f "%e %M" -o /tmp/mta-sts-bench.time "$@" >/dev/null 2>&1; cat /tmp/mta-sts-bench.time; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
spread() { sort -n | awk 'NR==1{lo=$1} {hi=$1} END {printf "%s-%s", lo, hi}'; }

# the floor any JVM program starts from (`java -version` does nothing else), and the command's own start
: > /tmp/mb-jvm; : > /tmp/mb-cli
for i in $(seq "$RUNS"); do
  read -r t _ < <(secs java -version); echo "$t" >> /tmp/mb-jvm
  read -r t _ < <(secs java -jar $JAR --version); echo "$t" >> /tmp/mb-cli
done

for case in large small; do
  : > /tmp/mb-$case-java; : > /tmp/mb-$case-jq; : > /tmp/mb-$case-rss
  for i in $(seq "$RUNS"); do
    if [ $case = large ]; then
      read -r t rss < <(secs java -jar $JAR report parse $BIG "$DATA/large.json")
      read -r tj _ < <(secs jq -c "$JQ" "$DATA/large.json")
    else
      read -r t rss < <(secs java -jar $JAR report parse "$DATA"/small/*.json.gz)
      read -r tj _ < <(secs bash -c "zcat $DATA/small/*.json.gz | jq -c '$JQ'")
    fi
    echo "$t" >> /tmp/mb-$case-java; echo "$tj" >> /tmp/mb-$case-jq; echo "$rss" >> /tmp/mb-$case-rss
  done
done

echo
echo "The command: mta-sts report parse beside jq, each a whole process ($RUNS alternating runs; seconds, median and range)"
echo "   (for information: a fresh JVM's start is most of it; the functions parse warm, as measured above)"
for case in large small; do
  mj=$(median < /tmp/mb-$case-java); mq=$(median < /tmp/mb-$case-jq)
  label=$([ $case = large ] && echo "one report, $(( $(stat -c %s "$DATA/large.json") / 1000000 )) MB, 100k failure-details" \
          || echo "$(ls "$DATA"/small | wc -l) small .json.gz reports")
  printf "   %-45s mta-sts %s (%s)  jq %s (%s)  speed-up %.2fx  peak RSS %d MB\n" "$label" \
    "$mj" "$(spread < /tmp/mb-$case-java)" "$mq" "$(spread < /tmp/mb-$case-jq)" \
    "$(echo "$mq / $mj" | bc -l)" "$(( $(median < /tmp/mb-$case-rss) / 1024 ))"
done
printf "   %-45s %s (%s)\n" "JVM start alone (java -version)" "$(median < /tmp/mb-jvm)" "$(spread < /tmp/mb-jvm)"
printf "   %-45s %s (%s)\n" \
  "mta-sts start alone (mta-sts --version)" "$(median < /tmp/mb-cli)" "$(spread < /tmp/mb-cli)"
python3 - "$DATA/bomb.json.gz" <<'PY'
import gzip, sys
with gzip.open(sys.argv[1], "wb") as f:
    f.write(b'{"organization-name":"')
    for _ in range(1000):
        f.write(b"0" * (1 << 20))
PY
read -r tb rb < <(/usr/bin/time -f "%e %M" java -jar $JAR report parse "$DATA/bomb.json.gz" 2>&1 >/dev/null | tail -1)
printf "   gzip bomb (%d KB expanding to 1 GB): rejected in %s s, peak RSS %d MB  (target < 1 s)\n" \
  "$(( $(stat -c %s "$DATA/bomb.json.gz") / 1024 ))" "$tb" "$(( rb / 1024 ))"
