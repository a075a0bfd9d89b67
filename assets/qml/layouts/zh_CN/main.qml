// Mandarin: Pinyin in three rows under the kiosk's bar of Pinyin words, the keys that do
// something at the ends of the rows, each saying what it does. No space bar: Chinese
// has no spaces, and a word is taken by touching it in the bar.
import QtQuick
import QtQuick.Layouts
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Components
import Kiosk

KeyboardLayout {
    function createInputMethod() {
        return Qt.createQmlObject("import QtQuick; import QtQuick.VirtualKeyboard.Plugins; PinyinInputMethod {}", parent, "pinyin.qml")
    }
    // Digits and signs keep the Pinyin input method (what is being composed stays).
    sharedLayouts: ["symbols"]
    keyWeight: 100

    KeyboardRow {
        Key { key: Qt.Key_Q; text: "q" }
        Key { key: Qt.Key_W; text: "w" }
        Key { key: Qt.Key_E; text: "e" }
        Key { key: Qt.Key_R; text: "r" }
        Key { key: Qt.Key_T; text: "t" }
        Key { key: Qt.Key_Y; text: "y" }
        Key { key: Qt.Key_U; text: "u" }
        Key { key: Qt.Key_I; text: "i" }
        Key { key: Qt.Key_O; text: "o" }
        Key { key: Qt.Key_P; text: "p" }
        BackspaceKey { weight: 150; displayText: Look.words.backspace }
    }
    KeyboardRow {
        Key { key: Qt.Key_A; text: "a" }
        Key { key: Qt.Key_S; text: "s" }
        Key { key: Qt.Key_D; text: "d" }
        Key { key: Qt.Key_F; text: "f" }
        Key { key: Qt.Key_G; text: "g" }
        Key { key: Qt.Key_H; text: "h" }
        Key { key: Qt.Key_J; text: "j" }
        Key { key: Qt.Key_K; text: "k" }
        Key { key: Qt.Key_L; text: "l" }
        SymbolModeKey { weight: 250; displayText: Look.words.symbols }
    }
    KeyboardRow {
        Key { key: Qt.Key_Z; text: "z" }
        Key { key: Qt.Key_X; text: "x" }
        Key { key: Qt.Key_C; text: "c" }
        Key { key: Qt.Key_V; text: "v" }
        Key { key: Qt.Key_B; text: "b" }
        Key { key: Qt.Key_N; text: "n" }
        Key { key: Qt.Key_M; text: "m" }
        Key { key: Qt.Key_Comma; text: "，" }
        Key { key: Qt.Key_Period; text: "。" }
        ChangeLanguageKey { weight: 250; displayText: Look.words.english; customLayoutsOnly: true }
    }
}
