// Mandarin: digits and signs, with the Chinese punctuation an address or a story needs.
import QtQuick
import QtQuick.Layouts
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Components
import Kiosk

KeyboardLayout {
    keyWeight: 100

    KeyboardRow {
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
        BackspaceKey { weight: 150; displayText: Look.words.backspace }
    }
    KeyboardRow {
        Key { text: "-" }
        Key { text: "/" }
        Key { text: "：" }
        Key { text: "；" }
        Key { text: "（" }
        Key { text: "）" }
        Key { text: "¥" }
        Key { text: "@" }
        Key { text: "#" }
        SymbolModeKey { weight: 250; displayText: Look.words.pinyin }
    }
    KeyboardRow {
        Key { text: "、" }
        Key { text: "？" }
        Key { text: "！" }
        Key { text: "·" }
        Key { text: "%" }
        Key { text: "+" }
        Key { text: "“" }
        Key { text: "”" }
        Key { key: Qt.Key_Comma; text: "，" }
        Key { key: Qt.Key_Period; text: "。" }
        SpaceKey { weight: 150; displayText: Look.words.space }
    }
}
