"""The kiosk's core: journeys, the visit, rules, settings and languages. No Qt here."""
