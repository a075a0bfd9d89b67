"""The kiosk's core: journeys, the visit, rules, settings and languages. No Qt here."""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("mediation-kiosk")
except _metadata.PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0.0.0"
