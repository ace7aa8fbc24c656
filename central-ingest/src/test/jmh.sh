#!/usr/bin/env bash
# Runs central-ingest's JMH benchmarks. Build first (from the repository root):
#   ./mvnw -q -pl central-ingest -am test-compile -Djazzer.skip=true
# Then: central-ingest/src/test/jmh.sh [JMH args, e.g. ShardHashBenchmark]
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
./mvnw -q -o -pl central-ingest -am dependency:build-classpath -Dmdep.outputFile="$root/central-ingest/target/test-classpath.txt" \
  -Dmdep.includeScope=test >/dev/null
cp="central-ingest/target/test-classes:central-ingest/target/classes"
for m in proto proto/net-kit proto/store-forward; do cp="$cp:$m/target/classes"; done
exec java -cp "$cp:$(cat central-ingest/target/test-classpath.txt)" org.openjdk.jmh.Main "$@"
