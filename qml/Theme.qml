pragma Singleton

import QtQuick

// The application's design tokens: every size derives from one base unit and
// every colour has a meaning, not a hue, in its name. Set `dark` to switch
// the palette; nothing else here is meant to change at run time.
QtObject {
    property bool dark: false

    // Sizes
    readonly property int baseUnit: 8
    readonly property int spacingSmall: baseUnit / 2
    readonly property int spacing: baseUnit
    readonly property int spacingLarge: baseUnit * 2
    readonly property int spacingHuge: baseUnit * 4
    readonly property int radius: baseUnit / 2
    readonly property int borderWidth: 1

    // Type scale (pixel sizes)
    readonly property int fontSizeSmall: 12
    readonly property int fontSizeBody: 14
    readonly property int fontSizeTitle: 20
    readonly property int fontSizeHeading: 28

    // Surfaces and text
    readonly property color background: dark ? "#1c1d21" : "#f6f5f2"
    readonly property color surface: dark ? "#26282d" : "#ffffff"
    readonly property color border: dark ? "#3a3d44" : "#d9d6cf"
    readonly property color text: dark ? "#e8e6e3" : "#1f2328"
    readonly property color textMuted: dark ? "#a3a29f" : "#5c6066"
    readonly property color accent: dark ? "#6ea8fe" : "#1f5fbf"

    // Memory concepts
    readonly property color pageExclusive: dark ? "#5fb98a" : "#2e8b57"
    readonly property color pageShared: dark ? "#e0b35c" : "#b7791f"
    readonly property color pagePinned: dark ? "#e07a7a" : "#c0392b"
    readonly property color pageSwapped: dark ? "#9a8fd8" : "#6c5ce7"
}
