#!/usr/bin/env bash
# Runs every Parley test: Java (Maven, with rendering tests under Xvfb) and Python (pytest).
# Usage: scripts/test.sh   (from anywhere; installs missing Debian packages first)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup-debian.sh

# The Python parity test runs the graphs through ONNX Runtime Java: fetch its jar into ~/.m2 first.
mvn -B -ntp -q -pl plugin dependency:resolve

echo "== Python tests (models/) =="
(cd models && /usr/bin/python3 -m pytest -q)

echo "== Java tests (plugin/, demo-game/, tools/, examples/) under Xvfb =="
# llvmpipe gives LWJGL3 an OpenGL 4.5 core context inside the virtual X server.
export LIBGL_ALWAYS_SOFTWARE=1
xvfb-run -a -s "-screen 0 1280x1024x24" \
  mvn -B -ntp -Dparley.requireDisplay=true verify
