// English letters in four rows (no bar of words above them), small or capitals by the
// kiosk's own capitals key (which stays on until touched again, as a person expects).
// For a receipt number (Look.mode "receipt") capitals under a row of digits and the
// dash, and nothing else; for a reading (Look.mode "reading") small letters under the
// digits of the tones.
import QtQuick
import QtQuick.Layouts
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Components
import Kiosk

KeyboardLayout {
    readonly property bool receipt: Look.mode === "receipt"
    // A receipt number, or a reading to look a character up by: letters and digits only.
    readonly property bool plain: Look.mode !== "text"
    readonly property bool capitals: receipt || Look.capitals
    keyWeight: 100

    KeyboardRow {
        visible: plain
        Key { key: Qt.Key_1; text: "1" }
        Key { key: Qt.Key_2; text: "2" }
        Key { key: Qt.Key_3; text: "3" }
        Key { key: Qt.Key_4; text: "4" }
        Key { key: Qt.Key_5; text: "5" }
        Key { key: Qt.Key_6; text: "6" }
        Key { key: Qt.Key_7; text: "7" }
        Key { key: Qt.Key_8; text: "8" }
        Key { key: Qt.Key_9; text: "9" }
        Key { key: Qt.Key_0; text: "0" }
        Key { key: Qt.Key_Minus; text: "-"; visible: receipt }
    }
    KeyboardRow {
        Key { key: Qt.Key_Q; text: capitals ? "Q" : "q" }
        Key { key: Qt.Key_W; text: capitals ? "W" : "w" }
        Key { key: Qt.Key_E; text: capitals ? "E" : "e" }
        Key { key: Qt.Key_R; text: capitals ? "R" : "r" }
        Key { key: Qt.Key_T; text: capitals ? "T" : "t" }
        Key { key: Qt.Key_Y; text: capitals ? "Y" : "y" }
        Key { key: Qt.Key_U; text: capitals ? "U" : "u" }
        Key { key: Qt.Key_I; text: capitals ? "I" : "i" }
        Key { key: Qt.Key_O; text: capitals ? "O" : "o" }
        Key { key: Qt.Key_P; text: capitals ? "P" : "p" }
        BackspaceKey { weight: 150; displayText: Look.words.backspace }
    }
    KeyboardRow {
        Key { key: Qt.Key_A; text: capitals ? "A" : "a" }
        Key { key: Qt.Key_S; text: capitals ? "S" : "s" }
        Key { key: Qt.Key_D; text: capitals ? "D" : "d" }
        Key { key: Qt.Key_F; text: capitals ? "F" : "f" }
        Key { key: Qt.Key_G; text: capitals ? "G" : "g" }
        Key { key: Qt.Key_H; text: capitals ? "H" : "h" }
        Key { key: Qt.Key_J; text: capitals ? "J" : "j" }
        Key { key: Qt.Key_K; text: capitals ? "K" : "k" }
        Key { key: Qt.Key_L; text: capitals ? "L" : "l" }
        SymbolModeKey { weight: 250; visible: !plain; displayText: Look.words.symbols }
        FillerKey { weight: 250; visible: plain }
    }
    KeyboardRow {
        // Capitals stay on until touched again; the key says what a touch gives.
        BaseKey {
            weight: 200
            visible: !plain
            key: Qt.Key_Shift
            noKeyEvent: true
            functionKey: true
            keyPanelDelegate: keyboard.style ? keyboard.style.keyPanel : undefined
            displayText: Look.capitals ? Look.words.small : Look.words.capitals
            onClicked: Look.capitals = !Look.capitals
        }
        Key { key: Qt.Key_Z; text: capitals ? "Z" : "z" }
        Key { key: Qt.Key_X; text: capitals ? "X" : "x" }
        Key { key: Qt.Key_C; text: capitals ? "C" : "c" }
        Key { key: Qt.Key_V; text: capitals ? "V" : "v" }
        Key { key: Qt.Key_B; text: capitals ? "B" : "b" }
        Key { key: Qt.Key_N; text: capitals ? "N" : "n" }
        Key { key: Qt.Key_M; text: capitals ? "M" : "m" }
        Key { key: Qt.Key_Comma; text: ","; visible: !plain }
        Key { key: Qt.Key_Period; text: "."; visible: !plain }
        FillerKey { weight: 450; visible: plain }
    }
    KeyboardRow {
        visible: !plain
        ChangeLanguageKey { weight: 300; displayText: Look.words.pinyin; customLayoutsOnly: true }
        SpaceKey { weight: 550; displayText: Look.words.space }
        EnterKey { weight: 300; visible: Look.multiline; displayText: Look.words.enter }
    }
}
