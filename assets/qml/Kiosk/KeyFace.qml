// One key as a finger sees it: a card with a gap around it, and its label large in the
// middle. Letter keys are white, the keys that do something are tinted; a pressed key
// turns dark so the finger sees it took.
import QtQuick
import Kiosk

Rectangle {
    id: face
    objectName: "keyFace"

    // The key this face draws (the layout's BaseKey).
    property var control

    readonly property bool pressed: control ? control.pressed : false
    readonly property bool doing: control ? control.functionKey : false
    readonly property string label: {
        if (!control)
            return ""
        var shown = control.displayText
        // Capitals shown on the letters only: the words on the other keys stay as written.
        return control.uppercased && !control.functionKey ? shown.toUpperCase() : shown
    }

    anchors.fill: parent
    anchors.margins: Look.gap / 2
    radius: Math.min(width, height) * 0.12
    color: pressed ? Look.primary : (doing ? Look.functionKey : Look.key)
    border.color: Look.primary
    border.width: Math.max(2, Look.gap / 6)
    visible: control ? control.enabled : true

    Text {
        objectName: "keyLabel"
        anchors.fill: parent
        anchors.margins: Look.gap / 2
        text: face.label
        color: face.pressed ? Look.lightInk : (face.doing ? Look.primary : Look.ink)
        font.family: Look.fontFamily
        font.pixelSize: face.label.length > 1 ? Look.wordPx : Look.letterPx
        font.bold: face.doing
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        // One line: the layouts give every word the width it needs.
        wrapMode: Text.NoWrap
    }
}
