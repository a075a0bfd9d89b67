"""The kiosk's core: journeys, the visit, rules, settings and languages. No Qt here."""


def __getattr__(name: str) -> str:
    # The version is read from the installed metadata only when asked (importlib.metadata
    # costs ~20 ms, and every start of the kiosk imports this package).
    if name == "__version__":
        from importlib import metadata

        try:
            return metadata.version("mediation-kiosk")
        except metadata.PackageNotFoundError:  # a checkout that was never installed
            return "0.0.0"
    raise AttributeError(name)
