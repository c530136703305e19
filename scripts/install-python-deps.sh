#!/usr/bin/env bash
# Installs the Python packages the tests use when they are missing: moto server as the AWS stand-in, botocore as
# the SigV4 oracle, and prometheus_client 0.16.0 (Debian bookworm's python3-prometheus-client version) as the
# exposition parser the differential test compares with.
set -euo pipefail
wanted=()
if ! python3 -c 'import moto, botocore, flask, flask_cors' 2>/dev/null || ! command -v moto_server >/dev/null; then
  wanted+=("moto[server]==5.2.1")
fi
if [ "$(python3 -c 'from importlib.metadata import version; print(version("prometheus-client"))' 2>/dev/null)" != "0.16.0" ]; then
  wanted+=("prometheus-client==0.16.0")
fi
[ ${#wanted[@]} -eq 0 ] && exit 0
echo "installing: ${wanted[*]}" >&2
python3 -m pip install --quiet --disable-pip-version-check "${wanted[@]}"
