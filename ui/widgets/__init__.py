"""Widgets shared by the screens: big buttons, the keypad, the header and the bottom bar."""
