#!/usr/bin/env bash
# The local demo: a sensor simulator, edge-agent, central-ingest and a real VictoriaMetrics on
# this machine (sensor -> edge-agent -> central-ingest -> VictoriaMetrics).
# Builds what is missing, installs VictoriaMetrics from Debian's package when it is missing
# (as root), prints where to look, and runs until Ctrl-C (or DEMO_SECONDS, if set).
# Ports (override with env): VictoriaMetrics 8428, edge-agent status 8429, central-ingest 8427,
# sensor 9101.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
run="$root/deploy/demo/.run"
VM_PORT="${VM_PORT:-8428}"; AGENT_PORT="${AGENT_PORT:-8429}"; SENSOR_PORT="${SENSOR_PORT:-9101}"
INGEST_PORT="${INGEST_PORT:-8427}"

say() { printf '\033[1mdemo:\033[0m %s\n' "$*"; }

if ! command -v victoria-metrics >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing VictoriaMetrics (Debian package victoria-metrics)"
    apt-get update -qq && apt-get install -y -qq victoria-metrics >/dev/null
  else
    say "VictoriaMetrics is missing: install it with 'sudo apt-get install -y victoria-metrics' and run again"
    exit 1
  fi
fi
for port in "$VM_PORT" "$AGENT_PORT" "$SENSOR_PORT" "$INGEST_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    say "port $port is in use; free it or set VM_PORT / AGENT_PORT / SENSOR_PORT / INGEST_PORT"
    exit 1
  fi
done
if [ ! -f "$root/edge-agent/target/edge-agent.jar" ] || [ ! -f "$root/central-ingest/target/central-ingest.jar" ] \
    || [ ! -f "$root/deploy/testbed/target/testbed.jar" ]; then
  say "building (first run only): ./mvnw -q -B -DskipTests package"
  (cd "$root" && ./mvnw -q -B -DskipTests package)
fi

mkdir -p "$run"
# One robot token (the agent pushes with it) and one reader token (to query through the ingest).
# Tokens are shown once; the tokens file keeps only their SHA-256.
rm -f "$run/tokens"
"$root/central-ingest/bin/central-ingest" token add robot demo-robot-1 -auth.tokensFile="$run/tokens" 2>/dev/null \
  | head -1 >"$run/robot.token"
reader_token="$("$root/central-ingest/bin/central-ingest" token add reader demo-reader -auth.tokensFile="$run/tokens" 2>/dev/null | head -1)"
chmod 600 "$run/robot.token"
pids=()
stop() {
  say "stopping"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  say "stopped; data and logs are in $run"
}
trap stop EXIT
trap 'exit 0' INT TERM

victoria-metrics -storageDataPath="$run/vm-data" -httpListenAddr="127.0.0.1:$VM_PORT" -search.latencyOffset=5s >"$run/victoria-metrics.log" 2>&1 &
pids+=($!)
ingest_cmd=("$root/central-ingest/bin/central-ingest" -httpListenAddr="127.0.0.1:$INGEST_PORT" -auth.tokensFile="$run/tokens"
  -remoteWrite.url="http://127.0.0.1:$VM_PORT/api/v1/write" -query.url="http://127.0.0.1:$VM_PORT" -wal.path="$run/ingest-wal")
"${ingest_cmd[@]}" >"$run/central-ingest.log" 2>&1 &
pids+=($!)
"$root/deploy/testbed/bin/sensor-sim" -listen="127.0.0.1:$SENSOR_PORT" >"$run/sensor-sim.log" 2>&1 &
pids+=($!)
cat >"$run/scrape.yml" <<YAML
global:
  scrape_interval: 5s
  external_labels:
    fleet: demo
scrape_configs:
  - job_name: sensor
    static_configs:
      - targets: ['127.0.0.1:$SENSOR_PORT']
  - job_name: edge-agent
    static_configs:
      - targets: ['127.0.0.1:$AGENT_PORT']
YAML
"$root/edge-agent/bin/edge-agent" -promscrape.config="$run/scrape.yml" \
  -remoteWrite.url="http://127.0.0.1:$INGEST_PORT/api/v1/write" -remoteWrite.bearerTokenFile="$run/robot.token" \
  -remoteWrite.tmpDataPath="$run/agent-data" -httpListenAddr="127.0.0.1:$AGENT_PORT" >"$run/edge-agent.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$AGENT_PORT/health" >/dev/null 2>&1 && curl -fs "http://127.0.0.1:$VM_PORT/health" >/dev/null 2>&1 \
    && curl -fs "http://127.0.0.1:$INGEST_PORT/health" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$AGENT_PORT/health" >/dev/null || { say "edge-agent did not start; see $run/edge-agent.log"; tail -20 "$run/edge-agent.log"; exit 1; }
curl -fs "http://127.0.0.1:$INGEST_PORT/health" >/dev/null || { say "central-ingest did not start; see $run/central-ingest.log"; tail -20 "$run/central-ingest.log"; exit 1; }

cat <<TXT

  edgepush demo is running
  - sensor simulator:  http://127.0.0.1:$SENSOR_PORT/metrics
  - edge-agent status: http://127.0.0.1:$AGENT_PORT/targets   (self metrics: /metrics)
  - central-ingest:    http://127.0.0.1:$INGEST_PORT/fleet   (robots, their last push and backlog)
                       query through it with the reader token:
                       curl -H 'Authorization: Bearer $reader_token' \\
                         'http://127.0.0.1:$INGEST_PORT/api/v1/query?query=sensor_battery_charge_ratio'
  - VictoriaMetrics:   http://127.0.0.1:$VM_PORT/api/v1/query?query=sensor_battery_charge_ratio
                       (Debian's build has no VMUI; point Grafana at http://127.0.0.1:$VM_PORT)
  - logs and data:     $run
  Try an outage: stop central-ingest (kill ${pids[1]}), watch edge_agent_buffer_pending_samples
  grow on the agent's /metrics, then start it again and watch the backlog drain; nothing is lost:
    ${ingest_cmd[*]} &
  Stop the demo with Ctrl-C.

TXT
if [ -n "${DEMO_SECONDS:-}" ]; then
  sleep "$DEMO_SECONDS"
  n=$(curl -fs -H "Authorization: Bearer $reader_token" \
    "http://127.0.0.1:$INGEST_PORT/api/v1/export?match[]=sensor_battery_charge_ratio%7Brobot%3D%22demo-robot-1%22%7D" \
    | grep -o '"timestamps"' | wc -l || true)
  say "after ${DEMO_SECONDS}s VictoriaMetrics holds $n sensor_battery_charge_ratio series from robot demo-robot-1 (queried through central-ingest)"
  exit 0
fi
wait
