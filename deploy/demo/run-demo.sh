#!/usr/bin/env bash
# The local demo: a sensor simulator, edge-agent, central-ingest and a real VictoriaMetrics on
# this machine (sensor -> edge-agent -> central-ingest -> VictoriaMetrics).
# Builds what is missing, installs VictoriaMetrics from Debian's package when it is missing
# (as root), prints where to look, and runs until Ctrl-C (or DEMO_SECONDS, if set). Every
# process it starts is stopped when it exits, however it exits.
# Ports (override with env): VictoriaMetrics 8428, edge-agent status 8429, central-ingest 8427,
# sensor 9101.
#
# While it runs, from another terminal:
#   deploy/demo/run-demo.sh outage-start   stops central-ingest (the demo keeps it stopped)
#   deploy/demo/run-demo.sh outage-end     lets the demo start it again; the backlog drains
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
run="$root/deploy/demo/.run"
self="$root/deploy/demo/run-demo.sh"
VM_PORT="${VM_PORT:-8428}"; AGENT_PORT="${AGENT_PORT:-8429}"; SENSOR_PORT="${SENSOR_PORT:-9101}"
INGEST_PORT="${INGEST_PORT:-8427}"

say() { printf '\033[1mdemo:\033[0m %s\n' "$*"; }

# The outage recipe: the running demo owns central-ingest and restarts it unless
# $run/ingest.paused exists, so nothing is left running after Ctrl-C.
case "${1:-}" in
  outage-start)
    [ -f "$run/central-ingest.pid" ] || { say "no demo is running (no $run/central-ingest.pid)"; exit 1; }
    touch "$run/ingest.paused"
    kill "$(cat "$run/central-ingest.pid")" 2>/dev/null || true
    say "central-ingest stopped. Watch the robot's backlog grow:"
    say "  curl -s http://127.0.0.1:$AGENT_PORT/metrics | grep edge_agent_buffer_pending_samples"
    say "then end the outage with: $self outage-end"
    exit 0 ;;
  outage-end)
    rm -f "$run/ingest.paused"
    say "the demo starts central-ingest again within a second; the backlog drains, nothing is lost"
    exit 0 ;;
  "") ;;
  *) echo "usage: $0 [outage-start|outage-end]" >&2; exit 2 ;;
esac

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
printf '%s\n' "$reader_token" >"$run/reader.token"
chmod 600 "$run/robot.token" "$run/reader.token"
rm -f "$run/ingest.paused"
pids=()
ingest_pid=""
stop() {
  trap - EXIT INT TERM
  say "stopping everything the demo started"
  for p in "${pids[@]}" $ingest_pid; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "$run/central-ingest.pid" "$run/ingest.paused"
  say "stopped; data and logs are in $run"
}
trap stop EXIT
trap 'exit 0' INT TERM HUP

victoria-metrics -storageDataPath="$run/vm-data" -httpListenAddr="127.0.0.1:$VM_PORT" -search.latencyOffset=5s >"$run/victoria-metrics.log" 2>&1 &
pids+=($!)
ingest_cmd=("$root/central-ingest/bin/central-ingest" -httpListenAddr="127.0.0.1:$INGEST_PORT" -auth.tokensFile="$run/tokens"
  -remoteWrite.url="http://127.0.0.1:$VM_PORT/api/v1/write" -query.url="http://127.0.0.1:$VM_PORT" -wal.path="$run/ingest-wal")
start_ingest() {
  "${ingest_cmd[@]}" >>"$run/central-ingest.log" 2>&1 &
  ingest_pid=$!
  echo "$ingest_pid" >"$run/central-ingest.pid"
}
start_ingest
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

auth="Authorization: Bearer $reader_token"
query="http://127.0.0.1:$INGEST_PORT/api/v1/query?query=sensor_battery_charge_ratio"
vmui=""
if [ "$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "http://127.0.0.1:$INGEST_PORT/vmui/")" = 200 ]; then
  vmui="http://127.0.0.1:$INGEST_PORT/vmui/ (user: anything, password: the reader token)"
fi
cat <<TXT

  edgepush demo is running: sensor -> edge-agent -> central-ingest -> VictoriaMetrics

  Reader token (for people and dashboards; also in $run/reader.token):
    $reader_token

  Fleet page:  http://127.0.0.1:$INGEST_PORT/fleet
               the browser asks for a user and a password: any user, the reader token as password
  Query:       curl -H '$auth' \\
                 '$query'
  Grafana:     data source of type Prometheus, URL http://127.0.0.1:$INGEST_PORT/prometheus,
               custom HTTP header  Authorization = Bearer $reader_token
               (queries go through central-ingest and its tokens, never to VictoriaMetrics directly)
TXT
if [ -n "$vmui" ]; then
  echo "  VMUI:        $vmui"
fi
cat <<TXT
  The robot:   http://127.0.0.1:$AGENT_PORT/targets   (what it scrapes, its buffer and its remote)
  Logs, data:  $run

  Try an outage (from another terminal):
    $self outage-start    # stops central-ingest; the robot's backlog grows
    $self outage-end      # central-ingest comes back; the backlog drains, nothing is lost

  Stop with Ctrl-C: it stops every process the demo started.

TXT
deadline=""
if [ -n "${DEMO_SECONDS:-}" ]; then
  deadline=$((SECONDS + DEMO_SECONDS))
fi
# Keep central-ingest running (restart it after outage-end) until Ctrl-C or DEMO_SECONDS.
while [ -z "$deadline" ] || [ "$SECONDS" -lt "$deadline" ]; do
  if ! kill -0 "$ingest_pid" 2>/dev/null && [ ! -f "$run/ingest.paused" ]; then
    wait "$ingest_pid" 2>/dev/null || true
    say "starting central-ingest again"
    start_ingest
  fi
  sleep 1
done
n=$(curl -fs -H "$auth" \
  "http://127.0.0.1:$INGEST_PORT/api/v1/export?match[]=sensor_battery_charge_ratio%7Brobot%3D%22demo-robot-1%22%7D" \
  | grep -o '"timestamps"' | wc -l || true)
say "after ${DEMO_SECONDS}s VictoriaMetrics holds $n sensor_battery_charge_ratio series from robot demo-robot-1 (queried through central-ingest)"
exit 0
