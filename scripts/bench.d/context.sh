#!/bin/sh
# Context assembly: fitting a 100,000-message history into a 128k window (gpt-4o-mini, exact o200k_base counts),
# cold for 25k, 50k and 100k messages (the ratios show the cost grows linearly), and the next turn of the 100k
# conversation with the per-message count cache. Runs dev.llmo.context.ContextBench from the test classes.
# CONTEXT_BENCH_MESSAGES changes the largest history (default 100000).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
jar=$root/target/llmo.jar
classes=$root/target/test-classes
if [ ! -f "$jar" ] || [ ! -f "$classes/dev/llmo/context/ContextBench.class" ]; then
  echo "context.sh: building (mvn package)..." >&2
  (cd "$root" && mvn -B -q -ntp -DskipTests package >&2)
fi
exec java -Xms512m -cp "$classes:$jar" dev.llmo.context.ContextBench "${CONTEXT_BENCH_MESSAGES:-100000}"
