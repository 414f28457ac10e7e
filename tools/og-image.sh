#!/bin/sh
# Draw tools/og-image.svg as templates/assets/og-image.png, the picture a shared link shows (og:image),
# at the 1200 x 630 pixels link previews use. Needs Chromium and a sans-serif font with Cyrillic
# (the committed picture was drawn with Debian's chromium and fonts-dejavu-core).
set -eu
cd "$(dirname "$0")/.."
"${CHROMIUM:-chromium}" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,630 \
  --screenshot=templates/assets/og-image.png tools/og-image.svg
