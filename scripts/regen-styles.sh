#!/usr/bin/env bash
# Regenerates the style preset library and its previews from the current model pack: run after a new
# pack lands (its style encoder makes the embeddings). Rewrites assets/Styles/*.style.json,
# assets/Styles/presets.json and docs/images/styles/*.png. Previews render with OpenGL: without a
# display they run under xvfb-run (scripts/apt-packages.txt has it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/parley-tool.sh" style presets "$@"
if [ -n "${DISPLAY:-}" ]; then
  "$root/scripts/parley-tool.sh" style previews
else
  LIBGL_ALWAYS_SOFTWARE=1 xvfb-run -a -s "-screen 0 1280x1024x24" "$root/scripts/parley-tool.sh" style previews
fi
