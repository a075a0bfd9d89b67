"""The room's hardware behind small interfaces, each with a fake that runs the real code over
files: camera, presence and QR reading (OpenCV), microphone and speaker (PortAudio), voice
(pyttsx3 over espeak-ng), receipt printer (CUPS, ESC/POS, PDF). `registry` picks them.

Heavy modules (cv2, sounddevice, soundfile, pyttsx3, escpos) are imported inside the drivers
that use them, so importing `devices` costs nothing at start-up.
"""
