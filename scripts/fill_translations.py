"""Fill the translation catalogues after `makemessages`.

- English (`locale/en`): the source strings are English, so every msgstr is its msgid.
- Russian (`locale/ru`): translations come from JSON files mapping msgid → Russian text
  (plural entries map to a list of the three Russian plural forms).

Usage: python scripts/fill_translations.py [translations.json ...]
Then `python manage.py compilemessages`. Prints the Russian entries still untranslated.

`--check` changes nothing and fails when either catalogue has an untranslated entry
(run after `makemessages`, as `scripts/check_translations.sh` does).
"""

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def fill_english(path: Path) -> None:
    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save()


def fill_russian(path: Path, mapping: dict) -> list[str]:
    po = polib.pofile(str(path))
    po.metadata["Plural-Forms"] = (
        "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? 1 : 2);"
    )
    missing = []
    for entry in po:
        value = mapping.get(entry.msgid)
        if value is not None:
            if entry.msgid_plural:
                forms = value if isinstance(value, list) else [value] * 3
                entry.msgstr_plural = dict(enumerate(forms))
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        translated = all(entry.msgstr_plural.values()) if entry.msgid_plural else bool(entry.msgstr)
        if not translated or "fuzzy" in entry.flags:
            missing.append(entry.msgid)
    po.save()
    return missing


def check() -> int:
    missing = []
    for language in ("ru", "en"):
        po = polib.pofile(str(ROOT / f"locale/{language}/LC_MESSAGES/django.po"))
        missing += [f"{language}: {e.msgid}" for e in po.untranslated_entries() + po.fuzzy_entries()]
    for line in missing:
        print(line)
    print(f"{len(missing)} untranslated entries", file=sys.stderr)
    return 1 if missing else 0


def main(files: list[str]) -> int:
    if files == ["--check"]:
        return check()
    mapping = {}
    for name in files:
        mapping.update(json.loads(Path(name).read_text(encoding="utf-8")))
    fill_english(ROOT / "locale/en/LC_MESSAGES/django.po")
    missing = fill_russian(ROOT / "locale/ru/LC_MESSAGES/django.po", mapping)
    for msgid in missing:
        print(json.dumps(msgid, ensure_ascii=False))
    print(f"{len(missing)} Russian entries untranslated", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
