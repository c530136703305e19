#!/usr/bin/env bash
# Runs `promwatch agent` on a plain Prometheus scrape config, for the peer-agent scrape benchmark
# (../shared/bench/agents/scrape_bench.sh), selecting every scraped metric as vmagent forwards everything.
#
#   bench-promwatch.sh PROMETHEUS_CONFIG PORT DATA_DIR stdout
#   bench-promwatch.sh PROMETHEUS_CONFIG PORT DATA_DIR cloudwatch LOGS_ENDPOINT_URL
#
# stdout: EMF to /dev/null. cloudwatch: PutLogEvents to LOGS_ENDPOINT_URL (e.g. scripts/logs-discard-server.py)
# with dummy credentials. PROMWATCH (default .build/release/promwatch beside this script) is the binary.
#   scrape_bench.sh -a 'promwatch=scripts/bench-promwatch.sh {config} {port} {data} stdout' \
#                   -m promwatch=promwatch_scraped_samples_total -y promwatch=/healthz
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROMWATCH=${PROMWATCH:-$HERE/../.build/release/promwatch}
[ $# -ge 4 ] || { sed -n '2,12p' "$0"; exit 2; }
config=$1 port=$2 data=$3 sink=$4
mkdir -p "$data"
yaml=$data/promwatch.yaml
{
  echo "prometheus_config_path: $config"
  echo "server:"
  echo "  listen_address: 127.0.0.1:$port"
  echo "emf:"
  echo "  metric_namespace: PromwatchBench"
  echo "  log_group_name: /promwatch/bench"
  echo "  log_stream_name: \"{JobName}\""
  echo "  metric_declaration:"
  echo "    - dimensions: [[job, instance]]"
  echo "      metric_selectors: [\".\"]"
} >"$yaml"
case $sink in
  stdout)
    echo "  output: stdout" >>"$yaml"
    exec "$PROMWATCH" agent --config "$yaml" --log-level warning >/dev/null ;;
  cloudwatch)
    endpoint=${5:?LOGS_ENDPOINT_URL}
    cat >>"$yaml" <<YAML
  output: cloudwatch
  cloudwatch:
    flush_interval: 5s
aws:
  region: us-east-1
  endpoints:
    logs: $endpoint
YAML
    export AWS_ACCESS_KEY_ID=AKIDBENCHMARKONLY AWS_SECRET_ACCESS_KEY=benchmark-only-secret
    unset AWS_SESSION_TOKEN AWS_PROFILE
    exec "$PROMWATCH" agent --config "$yaml" --log-level warning ;;
  *) echo "unknown sink $sink (stdout or cloudwatch)" >&2; exit 2 ;;
esac
