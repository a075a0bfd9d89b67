// The on-screen keyboard: Qt Virtual Keyboard with Pinyin, embedded in the kiosk's text
// screen (the desktop pop-up is turned off), in the kiosk's own style and layouts, with the
// Pinyin words offered in a bar of large buttons above the keys. The words are paged with
// two buttons, never scrolled with a swipe. ui/widgets/keyboard.py sets `Look` and calls
// the functions at the end.
import QtQuick
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings
import Kiosk

Item {
    id: root

    // What the kiosk reads back: the whole keyboard's height at the width it has now.
    readonly property real panelHeight: bar.height + panel.height

    Rectangle {
        anchors.fill: parent
        color: Look.tray
    }

    // -- the words the Pinyin makes ------------------------------------------------------

    Item {
        id: bar
        objectName: "candidateBar"
        anchors.top: parent.top
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.leftMargin: Look.gap / 2
        anchors.rightMargin: Look.gap / 2
        // Only Pinyin makes words to choose; English letters and a receipt number have a
        // fourth row of keys instead.
        height: Look.wordsBar ? Look.rowHeight : 0
        visible: height > 0

        readonly property var model: InputContext.inputEngine.wordCandidateListModel
        // The first word on this page, and the first word of each page before it.
        property int first: 0
        property var earlier: []
        property var shown: []
        property bool more: false

        TextMetrics {
            id: measure
            font.family: Look.fontFamily
            font.pixelSize: Look.letterPx
        }

        function cellWidth(word) {
            measure.text = word
            return Math.ceil(Math.max(Look.rowHeight, measure.advanceWidth + Look.gap * 3))
        }

        // Lay out the page that starts at `first`: as many words as fit beside the page
        // buttons that are needed.
        function arrange() {
            var words = []
            var count = model ? model.count : 0
            // Each word's place is set here, not by a Row's later layout: what is drawn is
            // where a finger lands at once.
            var start = first > 0 ? pageButtonWidth() : 0
            var room = width - start
            var used = 0
            var index = first
            while (index < count) {
                var word = model.dataAt(index, 0)
                var w = cellWidth(word)
                var left = count - index - 1
                var reserve = left > 0 ? pageButtonWidth() : 0
                if (used + w + reserve > room && words.length > 0)
                    break
                words.push({ "index": index, "word": word, "width": w, "x": start + used })
                used += w
                index += 1
            }
            shown = words
            more = index < count
        }

        TextMetrics {
            id: moreMetrics
            text: Look.words.more
            font.family: Look.fontFamily
            font.pixelSize: Look.wordPx
            font.bold: true
        }
        TextMetrics {
            id: previousMetrics
            text: Look.words.previous
            font.family: Look.fontFamily
            font.pixelSize: Look.wordPx
            font.bold: true
        }
        // The page buttons: as wide as their words, and wider than a letter's cell.
        readonly property real pageWidth: Math.ceil(Math.max(Look.rowHeight * 1.5,
            Math.max(moreMetrics.advanceWidth, previousMetrics.advanceWidth) + Look.gap * 3))

        function pageButtonWidth() {
            return pageWidth
        }

        function restart() {
            first = 0
            earlier = []
            arrange()
        }

        function nextPage() {
            if (!more || shown.length === 0)
                return
            var pages = earlier.slice()
            pages.push(first)
            earlier = pages
            first = shown[shown.length - 1].index + 1
            arrange()
        }

        function previousPage() {
            if (earlier.length === 0)
                return
            var pages = earlier.slice()
            first = pages.pop()
            earlier = pages
            arrange()
        }

        onWidthChanged: arrange()
        Connections {
            target: bar.model
            function onCountChanged() { bar.restart() }
            function onDataChanged() { bar.restart() }
            function onModelReset() { bar.restart() }
        }
        Connections {
            target: Look
            function onLetterPxChanged() { bar.arrange() }
            function onRowHeightChanged() { bar.arrange() }
            function onWordsChanged() { bar.arrange() }
        }

        Item {
            anchors.fill: parent

            PageButton {
                visible: bar.first > 0
                objectName: "previousWords"
                label: Look.words.previous
                width: bar.pageWidth
                onTapped: bar.previousPage()
            }

            Repeater {
                model: bar.shown
                delegate: Item {
                    id: cell
                    objectName: "candidate"
                    required property var modelData
                    property string word: modelData.word
                    x: modelData.x
                    width: modelData.width
                    height: bar.height

                    Rectangle {
                        anchors.fill: parent
                        anchors.margins: Look.gap / 2
                        radius: height * 0.12
                        color: tap.pressed ? Look.primary : Look.key
                        border.color: Look.primary
                        border.width: Math.max(2, Look.gap / 6)

                        Text {
                            anchors.centerIn: parent
                            text: cell.word
                            color: tap.pressed ? Look.lightInk : Look.ink
                            font.family: Look.fontFamily
                            font.pixelSize: Look.letterPx
                        }
                    }

                    MouseArea {
                        id: tap
                        anchors.fill: parent
                        onClicked: bar.model.selectItem(cell.modelData.index)
                    }
                }
            }
        }

        // Nothing typed yet: the bar says what it is for.
        Text {
            objectName: "wordsHint"
            anchors.centerIn: parent
            width: parent.width
            visible: bar.shown.length === 0
            text: Look.words.hint || ""
            color: Look.ink
            font.family: Look.fontFamily
            font.pixelSize: Look.wordPx
            horizontalAlignment: Text.AlignHCenter
            elide: Text.ElideRight
        }

        PageButton {
            anchors.right: parent.right
            visible: bar.more
            objectName: "moreWords"
            label: Look.words.more
            width: bar.pageWidth
            onTapped: bar.nextPage()
        }
    }

    component PageButton: Item {
        id: button
        property string label
        signal tapped()
        height: bar.height

        Rectangle {
            anchors.fill: parent
            anchors.margins: Look.gap / 2
            radius: height * 0.12
            color: pageTap.pressed ? Look.primary : Look.functionKey
            border.color: Look.primary
            border.width: Math.max(2, Look.gap / 6)

            Text {
                anchors.fill: parent
                text: button.label
                color: pageTap.pressed ? Look.lightInk : Look.primary
                font.family: Look.fontFamily
                font.pixelSize: Look.wordPx
                font.bold: true
                horizontalAlignment: Text.AlignHCenter
                verticalAlignment: Text.AlignVCenter
                wrapMode: Text.WordWrap
            }
        }

        MouseArea {
            id: pageTap
            anchors.fill: parent
            onClicked: button.tapped()
        }
    }

    // -- the keys -------------------------------------------------------------------------

    InputPanel {
        id: panel
        anchors.top: bar.bottom
        anchors.left: parent.left
        width: root.width
        active: true
        onWidthChanged: Look.panelWidth = width
    }

    Binding {
        target: Look
        property: "wordsBar"
        value: Look.mode === "text" && InputContext.locale.indexOf("zh") === 0
    }

    Component.onCompleted: {
        VirtualKeyboardSettings.styleName = "kiosk"
        VirtualKeyboardSettings.layoutPath = Qt.resolvedUrl("layouts")
        VirtualKeyboardSettings.activeLocales = ["zh_CN", "en_US"]
        VirtualKeyboardSettings.locale = "zh_CN"
        // The bar above the keys is the kiosk's own; the built-in list stays empty.
        VirtualKeyboardSettings.wordCandidateList.alwaysVisible = false
        Look.panelWidth = width
    }

    // -- what the kiosk sets ----------------------------------------------------------------

    // The keyboard's language: "zh_CN" (Pinyin) or "en_US".
    function setLocale(locale) {
        VirtualKeyboardSettings.locale = locale
    }

    // The look: a map of Look's properties (words, sizes, colours, mode).
    function setLook(look) {
        for (var name in look)
            Look[name] = look[name]
    }

    // Forget what this visitor typed: the Pinyin engine learns words, and the next
    // visitor must not see this one's name among the suggestions.
    function forgetVisitor() {
        InputContext.clear()
        Look.capitals = false
        VirtualKeyboardSettings.userDataReset()
        bar.restart()
    }

    function locale() {
        return VirtualKeyboardSettings.locale
    }
}
