// How the on-screen keyboard looks and what its keys say, shared by the panel, the style
// and the layouts. The kiosk sets it from Python (ui/widgets/keyboard.py): the words come
// from its translation catalog, the sizes and colours from its theme.
pragma Singleton
import QtQuick

QtObject {
    // The words on the keys that do something (in the visit's language).
    property var words: ({
        "backspace": "Delete", "space": "Space", "enter": "New line",
        "symbols": "Numbers", "pinyin": "Pinyin", "letters": "Letters",
        "english": "English", "capitals": "Capitals", "small": "Small letters",
        "previous": "Back", "more": "More"
    })
    // "text" (the visit's language), or "receipt" (capital letters and digits).
    property string mode: "text"
    // A box of several lines: the keyboard offers a key for a new line.
    property bool multiline: false
    // English letters are typed as capitals (the capitals key).
    property bool capitals: false
    // Pinyin is typed: the bar of words takes the top row, and the keys the other three.
    property bool wordsBar: true
    // Rows of the whole keyboard, the bar included.
    readonly property int rows: 4

    // Sizes in pixels: the height of one row of keys (the candidate bar is one row too),
    // the space between keys, the letters' and the words' sizes.
    property real rowHeight: 104
    property real gap: 16
    property real letterPx: 48
    property real wordPx: 32
    property real panelWidth: 1000
    property string fontFamily: "Noto Sans CJK SC"

    // Colours from the kiosk's theme (contrast at least 7:1 for every label).
    property color tray: "#E9EEF5"
    property color key: "#FFFFFF"
    property color functionKey: "#E9EEF5"
    property color ink: "#1A1A1A"
    property color primary: "#0B3C78"
    property color lightInk: "#FFFFFF"
}
