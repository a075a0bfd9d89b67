// The kiosk's look for Qt Virtual Keyboard: large cards with words on every key that does
// something, sized by the kiosk (Look), never by the keyboard's own width. The kiosk draws
// the Pinyin candidates itself (assets/qml/keyboard.qml), so the built-in list takes no room.
import QtQuick
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Styles
import Kiosk

KeyboardStyle {
    // The panel is as tall as the kiosk asks at whatever width it has.
    keyboardDesignWidth: Look.panelWidth
    keyboardDesignHeight: Math.max(1, Look.rowHeight * (Look.wordsBar ? Look.rows - 1 : Look.rows))
    keyboardRelativeLeftMargin: Look.gap / 2 / Math.max(1, Look.panelWidth)
    keyboardRelativeRightMargin: Look.gap / 2 / Math.max(1, Look.panelWidth)
    keyboardRelativeTopMargin: 0
    keyboardRelativeBottomMargin: 0

    keyboardBackground: Rectangle { color: Look.tray }

    keyPanel: KeyPanel { KeyFace { control: parent.control } }
    backspaceKeyPanel: KeyPanel { KeyFace { control: parent.control } }
    languageKeyPanel: KeyPanel { KeyFace { control: parent.control } }
    enterKeyPanel: KeyPanel { KeyFace { control: parent.control } }
    hideKeyPanel: KeyPanel { KeyFace { control: parent.control } }
    shiftKeyPanel: KeyPanel { KeyFace { control: parent.control } }
    spaceKeyPanel: KeyPanel { KeyFace { control: parent.control } }
    symbolKeyPanel: KeyPanel { KeyFace { control: parent.control } }
    modeKeyPanel: KeyPanel { KeyFace { control: parent.control } }

    // No bubble over the finger and no pop-ups: every key does one thing on a tap.
    characterPreviewMargin: 0
    characterPreviewDelegate: Item { property string text }
    alternateKeysListItemWidth: 0
    alternateKeysListItemHeight: 0
    alternateKeysListDelegate: Item {}
    alternateKeysListBackground: Item {}
    languagePopupListEnabled: false

    selectionListHeight: 0
    selectionListDelegate: SelectionListItem { width: 0; height: 0 }
    selectionListBackground: Item {}
    popupListDelegate: Item {}
    popupListBackground: Item {}
    functionPopupListDelegate: Item {}
    functionPopupListBackground: Item {}
    navigationHighlight: Item {}
}
