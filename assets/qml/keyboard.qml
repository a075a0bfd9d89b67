// The on-screen keyboard: Qt Virtual Keyboard with Pinyin, embedded in the kiosk's text
// screen (the desktop pop-up is turned off). The kiosk calls these functions from Python.
import QtQuick
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings

Item {
    id: root

    // The panel's height follows its width (the keys keep their shape). Where that makes
    // the keys shorter than a finger needs, the kiosk stretches them upwards (`stretch`).
    property real panelHeight: panel.height
    property real stretch: 1.0

    InputPanel {
        id: panel
        width: root.width
        anchors.bottom: root.bottom
        active: true
        transform: Scale { origin.y: panel.height; yScale: root.stretch }
    }

    Component.onCompleted: {
        VirtualKeyboardSettings.activeLocales = ["zh_CN", "en_US"]
        VirtualKeyboardSettings.locale = "zh_CN"
        // The candidates stay in view: an elderly typist should not have to wait for them.
        VirtualKeyboardSettings.wordCandidateList.alwaysVisible = true
    }

    // The keyboard's language: "zh_CN" (Pinyin) or "en_US".
    function setLocale(locale) {
        VirtualKeyboardSettings.locale = locale
    }

    // Forget what this visitor typed: the Pinyin engine learns words, and the next
    // visitor must not see this one's name among the suggestions.
    function forgetVisitor() {
        InputContext.clear()
        VirtualKeyboardSettings.userDataReset()
    }

    // The keys as a finger presses them (the kiosk's own tests type through these).
    function press(text) {
        for (var i = 0; i < text.length; ++i) {
            var c = text.charAt(i)
            var key = c === " " ? Qt.Key_Space : c.toUpperCase().charCodeAt(0)
            InputContext.inputEngine.virtualKeyClick(key, c, 0)
        }
    }

    function candidates() {
        var list = InputContext.inputEngine.wordCandidateListModel
        var out = []
        for (var i = 0; i < Math.min(list.count, 8); ++i)
            out.push(list.dataAt(i, 0))
        return out.join("\n")
    }

    function choose(index) {
        InputContext.inputEngine.wordCandidateListModel.selectItem(index)
    }

    function locale() {
        return VirtualKeyboardSettings.locale
    }
}
