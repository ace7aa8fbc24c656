#!/usr/bin/env bash
# Runs the JMH benchmarks of edge-agent's hot path. Build first:
#   ./mvnw -q -pl edge-agent -am install -DskipTests && ./mvnw -q -pl edge-agent test-compile
# Then: edge-agent/src/test/jmh.sh [JMH args, e.g. ScrapePathBenchmark.parse]
set -euo pipefail
cd "$(dirname "$0")/../.."
../mvnw -q dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >/dev/null
exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" org.openjdk.jmh.Main "$@"
