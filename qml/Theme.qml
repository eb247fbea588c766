pragma Singleton

import QtQuick

// The application's design tokens: every size derives from one base unit and
// `zoom` (Ctrl +/-), every colour has a meaning, not a hue, in its name.
// `mode` picks the palette: light, dark, or contrast (high contrast, black on
// white with strong borders). Colour never carries meaning alone: entries
// and badges also differ in shape and text.
QtObject {
    property string mode: "light"
    property real zoom: 1.0
    // Turns every Behavior and transition off (a user setting).
    property bool reduceMotion: false

    readonly property bool dark: mode === "dark"
    readonly property bool contrast: mode === "contrast"

    // Sizes
    readonly property int baseUnit: Math.round(8 * zoom)
    readonly property int spacingSmall: Math.max(2, Math.round(baseUnit / 2))
    readonly property int spacing: baseUnit
    readonly property int spacingLarge: baseUnit * 2
    readonly property int spacingHuge: baseUnit * 4
    readonly property int radius: Math.round(baseUnit / 2)
    readonly property int borderWidth: contrast ? 2 : 1
    readonly property int strongBorderWidth: contrast ? 3 : 2
    readonly property int entryHeight: Math.round(26 * zoom)
    readonly property int entryWidth: Math.round(420 * zoom)
    readonly property int cardWidth: Math.round(176 * zoom)
    readonly property int narrationWidth: Math.round(340 * zoom)

    // Type scale (pixel sizes)
    readonly property int fontSizeSmall: Math.round(12 * zoom)
    readonly property int fontSizeBody: Math.round(14 * zoom)
    readonly property int fontSizeTitle: Math.round(18 * zoom)
    readonly property int fontSizeHeading: Math.round(26 * zoom)
    readonly property string monospaceFamily: "monospace"

    // Motion
    readonly property int durationShort: reduceMotion ? 0 : 180
    readonly property int durationLong: reduceMotion ? 0 : 600

    // Surfaces and text
    readonly property color background: contrast ? "#ffffff" : dark ? "#1c1d21" : "#f6f5f2"
    readonly property color surface: contrast ? "#ffffff" : dark ? "#26282d" : "#ffffff"
    readonly property color surfaceSunken: contrast ? "#ffffff" : dark ? "#202226" : "#efede8"
    readonly property color border: contrast ? "#000000" : dark ? "#4a4e57" : "#cfcbc2"
    readonly property color text: contrast ? "#000000" : dark ? "#e8e6e3" : "#1f2328"
    readonly property color textMuted: contrast ? "#000000" : dark ? "#b0afab" : "#555a61"
    readonly property color accent: contrast ? "#0000c0" : dark ? "#7fb2ff" : "#1f5fbf"
    readonly property color textOnAccent: contrast ? "#ffffff" : dark ? "#10141a" : "#ffffff"
    // A row or card the last step changed.
    // The pseudo-code line the current step is about.
    readonly property color listingHighlight: contrast ? "#d0d0ff" : dark ? "#2f4466" : "#d6e4fa"
    readonly property color changed: contrast ? "#ffff00" : dark ? "#5a4b1a" : "#fff0b3"
    readonly property color error: contrast ? "#b00000" : dark ? "#ff8a80" : "#b3261e"
    readonly property color errorSurface: contrast ? "#ffffff" : dark ? "#3a2424" : "#fdecea"

    // Memory concepts
    readonly property color pageExclusive: contrast ? "#006400" : dark ? "#5fb98a" : "#2e7d4f"
    readonly property color pageShared: contrast ? "#7a4a00" : dark ? "#e0b35c" : "#a86a12"
    readonly property color pagePinned: contrast ? "#b00000" : dark ? "#ef8a8a" : "#c0392b"
    readonly property color pageSwapped: contrast ? "#4b0082" : dark ? "#b3a8f0" : "#5b4bd1"
    readonly property color pageDevice: contrast ? "#004f4f" : dark ? "#5cc8c8" : "#0f7a7a"
    readonly property color pageZero: contrast ? "#000000" : dark ? "#9a9a9a" : "#7a7a7a"
    readonly property color migration: contrast ? "#8b4500" : dark ? "#f0a060" : "#b8560f"
    readonly property color entryNone: contrast ? "#000000" : dark ? "#8a8a8a" : "#8a8d91"
}
