#!/usr/bin/env bash
# Installs the Python packages the tests use (moto server as the AWS stand-in; botocore as the SigV4 oracle)
# when they are missing.
set -euo pipefail
if python3 -c 'import moto, botocore, flask, flask_cors' 2>/dev/null && command -v moto_server >/dev/null; then
  exit 0
fi
echo "installing: moto[server]==5.2.1" >&2
python3 -m pip install --quiet --disable-pip-version-check "moto[server]==5.2.1"
