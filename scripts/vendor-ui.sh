#!/bin/sh
# Re-vendor the design system's front-end files at the pinned versions below (ADR 0014).
# Run by `make vendor` on a machine with npm; the portal itself never needs Node: the files are
# committed under static/vendor/ and tests/vendor/. To update, change a version, run `make vendor`,
# walk the styleguide (/styleguide/) and run the browser tests.
set -eu
TABLER=1.6.1
ICONS=3.51.0
INTER=5.3.0
AXE=4.14.1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm pack --silent "@tabler/core@$TABLER" "@tabler/icons@$ICONS" "@fontsource-variable/inter@$INTER" "axe-core@$AXE" >/dev/null
for f in *.tgz; do mkdir "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done

V="$ROOT/static/vendor"
mkdir -p "$V/tabler" "$V/inter" "$V/tabler-icons" "$ROOT/tests/vendor"
cp tabler-core-$TABLER/package/dist/css/tabler.min.css tabler-core-$TABLER/package/dist/js/tabler.min.js "$V/tabler/"
# Source maps are not shipped: drop their references so browsers do not ask for them.
sed -i 's|/\*# sourceMappingURL=[^*]*\*/||' "$V/tabler/tabler.min.css"
sed -i 's|//# sourceMappingURL=.*$||' "$V/tabler/tabler.min.js"
cp tabler-core-$TABLER/package/LICENSE "$V/tabler/LICENSE" 2>/dev/null || printf 'MIT License: https://github.com/tabler/tabler/blob/v%s/LICENSE\n' "$TABLER" > "$V/tabler/LICENSE"
echo "@tabler/core $TABLER" > "$V/tabler/VERSION"

# Inter, variable weight, the Latin and Latin-extended subsets (English, Portuguese, French).
cp fontsource-variable-inter-$INTER/package/files/inter-latin-wght-normal.woff2 \
   fontsource-variable-inter-$INTER/package/files/inter-latin-ext-wght-normal.woff2 "$V/inter/"
cp fontsource-variable-inter-$INTER/package/LICENSE "$V/inter/LICENSE"
echo "@fontsource-variable/inter $INTER" > "$V/inter/VERSION"

# Only the icons the templates use (prm/templatetags/icons.py reads them); add a name to ICON_NAMES to use another.
rm -f "$V/tabler-icons/"*.svg
for name in $(grep -v '^#' "$ROOT/static/vendor/tabler-icons/ICON_NAMES"); do
  cp "tabler-icons-$ICONS/package/icons/outline/$name.svg" "$V/tabler-icons/"
done
cp tabler-icons-$ICONS/package/LICENSE "$V/tabler-icons/LICENSE"
echo "@tabler/icons $ICONS" > "$V/tabler-icons/VERSION"

# axe-core runs only in the browser tests; it is never served.
cp axe-core-$AXE/package/axe.min.js "$ROOT/tests/vendor/axe.min.js"
cp axe-core-$AXE/package/LICENSE "$ROOT/tests/vendor/axe.LICENSE"
echo "axe-core $AXE" > "$ROOT/tests/vendor/axe.VERSION"
echo "vendored: tabler $TABLER, icons $ICONS, inter $INTER, axe-core $AXE"
