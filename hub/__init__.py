"""The reference central server (the hub). It stands apart from the kiosk's UI and devices."""
