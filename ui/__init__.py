"""The kiosk's PySide6 screens and shell; renders what the core's journeys describe."""
