#!/usr/bin/env bash
# Fails when a user-visible string in the code is missing from a catalogue or untranslated.
# Runs makemessages on the real catalogues and puts them back afterwards, so nothing changes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
backup=$(mktemp -d)
cp -r locale "$backup/"
restore() { rm -rf locale && cp -r "$backup/locale" locale && rm -rf "$backup"; }
trap restore EXIT
"$PY" manage.py makemessages -l ru -l en --no-obsolete --ignore=.venv --ignore=static/vendor \
  --ignore=bench --ignore=tests --ignore=staticfiles >/dev/null
"$PY" scripts/fill_translations.py --check
