/// `\p{…}` classes: Unicode general categories (from the standard library's Unicode data) plus Go's `Any`,
/// `ASCII`, `Assigned` and `LC`. Scripts (`\p{Greek}`) are recognised by name and rejected with
/// ``RelabelRegexError/Code/unsupportedUnicodeClass``, because Swift exposes no script property.
enum UnicodeClasses {
    enum Lookup {
        /// The class ranges (clean), already inverted when the name denotes a complement (`Assigned`).
        case ranges([UInt32])
        case script
        case unknown
    }

    static func lookup(_ rawName: String) -> Lookup {
        let name = canonicalName(rawName)
        switch name {
        case "Any": return .ranges([0, RuneRanges.maxRune])
        case "Ascii": return .ranges([0, 0x7F])
        case "Assigned": return .ranges(RuneRanges.negate(categories["Cn"] ?? []))
        case "Lc": return .ranges(categories["LC"] ?? [])
        default: break
        }
        if name.utf8.count <= 2, name != "LC", let r = categories[name] { return .ranges(r) }
        if let actual = aliases[name], let r = categories[actual] { return .ranges(r) }
        if scriptNames.contains(name) { return .script }
        return .unknown
    }

    /// Go's `canonicalName`: first letter upper-case, the rest lower-case, without `_`, `-` and spaces.
    static func canonicalName(_ name: String) -> String {
        var out: [UInt8] = []
        var first = true
        for var c in name.utf8 {
            if c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: " ") { continue }
            if first {
                if c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") { c -= 32 }
                first = false
            } else if c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") {
                c += 32
            }
            out.append(c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Two-letter categories plus their one-letter unions and `LC`, computed once by scanning every code point.
    private static let categories: [String: [UInt32]] = {
        var twoLetter: [String: [UInt32]] = [:]
        var currentCode = ""
        var start: UInt32 = 0
        func flush(_ end: UInt32) {
            guard !currentCode.isEmpty else { return }
            RuneRanges.appendRange(&twoLetter[currentCode, default: []], start, end)
        }
        for v in UInt32(0)...RuneRanges.maxRune {
            let code: String
            if let scalar = Unicode.Scalar(v) {
                code = abbreviation(scalar.properties.generalCategory)
            } else {
                code = "Cs"  // surrogates have no Unicode.Scalar
            }
            if code != currentCode {
                if v > 0 { flush(v - 1) }
                currentCode = code
                start = v
            }
        }
        flush(RuneRanges.maxRune)

        var all = twoLetter
        // One-letter unions, as Go's tables define them (C excludes unassigned Cn).
        for major in ["C", "L", "M", "N", "P", "S", "Z"] {
            var union: [UInt32] = []
            for (code, ranges) in twoLetter where code.hasPrefix(major) && code != "Cn" {
                union.append(contentsOf: ranges)
            }
            all[major] = RuneRanges.clean(union)
        }
        all["LC"] = RuneRanges.clean((twoLetter["Lu"] ?? []) + (twoLetter["Ll"] ?? []) + (twoLetter["Lt"] ?? []))
        return all
    }()

    private static func abbreviation(_ category: Unicode.GeneralCategory) -> String {
        switch category {
        case .uppercaseLetter: "Lu"
        case .lowercaseLetter: "Ll"
        case .titlecaseLetter: "Lt"
        case .modifierLetter: "Lm"
        case .otherLetter: "Lo"
        case .nonspacingMark: "Mn"
        case .spacingMark: "Mc"
        case .enclosingMark: "Me"
        case .decimalNumber: "Nd"
        case .letterNumber: "Nl"
        case .otherNumber: "No"
        case .connectorPunctuation: "Pc"
        case .dashPunctuation: "Pd"
        case .openPunctuation: "Ps"
        case .closePunctuation: "Pe"
        case .initialPunctuation: "Pi"
        case .finalPunctuation: "Pf"
        case .otherPunctuation: "Po"
        case .mathSymbol: "Sm"
        case .currencySymbol: "Sc"
        case .modifierSymbol: "Sk"
        case .otherSymbol: "So"
        case .spaceSeparator: "Zs"
        case .lineSeparator: "Zl"
        case .paragraphSeparator: "Zp"
        case .control: "Cc"
        case .format: "Cf"
        case .surrogate: "Cs"
        case .privateUse: "Co"
        case .unassigned: "Cn"
        @unknown default: "Cn"
        }
    }

    /// Go's `unicode.CategoryAliases` (long names), keyed by canonical name.
    private static let aliases: [String: String] = {
        let long: [(String, String)] = [
            ("Other", "C"), ("Control", "Cc"), ("Format", "Cf"), ("Surrogate", "Cs"), ("Private_Use", "Co"),
            ("Letter", "L"), ("Cased_Letter", "LC"), ("Lowercase_Letter", "Ll"), ("Modifier_Letter", "Lm"),
            ("Other_Letter", "Lo"), ("Titlecase_Letter", "Lt"), ("Uppercase_Letter", "Lu"), ("Mark", "M"),
            ("Combining_Mark", "M"), ("Spacing_Mark", "Mc"), ("Enclosing_Mark", "Me"), ("Nonspacing_Mark", "Mn"),
            ("Number", "N"), ("Decimal_Number", "Nd"), ("digit", "Nd"), ("Letter_Number", "Nl"),
            ("Other_Number", "No"), ("Punctuation", "P"), ("punct", "P"), ("Connector_Punctuation", "Pc"),
            ("Dash_Punctuation", "Pd"), ("Close_Punctuation", "Pe"), ("Final_Punctuation", "Pf"),
            ("Initial_Punctuation", "Pi"), ("Other_Punctuation", "Po"), ("Open_Punctuation", "Ps"),
            ("Symbol", "S"), ("Currency_Symbol", "Sc"), ("Modifier_Symbol", "Sk"), ("Math_Symbol", "Sm"),
            ("Other_Symbol", "So"), ("Separator", "Z"), ("Line_Separator", "Zl"), ("Paragraph_Separator", "Zp"),
            ("Space_Separator", "Zs"), ("cntrl", "Cc"),
        ]
        var map: [String: String] = [:]
        for (name, code) in long { map[canonicalName(name)] = code }
        return map
    }()

    /// Go's `unicode.Scripts` keys (canonical form), so `\p{Greek}` gets a precise "unsupported" error.
    private static let scriptNames: Set<String> = {
        let names = [
            "Adlam", "Ahom", "Anatolian_Hieroglyphs", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum",
            "Bassa_Vah", "Batak", "Bengali", "Bhaiksuki", "Bopomofo", "Brahmi", "Braille", "Buginese", "Buhid",
            "Canadian_Aboriginal", "Carian", "Caucasian_Albanian", "Chakma", "Cham", "Cherokee", "Chorasmian",
            "Common", "Coptic", "Cuneiform", "Cypriot", "Cypro_Minoan", "Cyrillic", "Deseret", "Devanagari",
            "Dives_Akuru", "Dogra", "Duployan", "Egyptian_Hieroglyphs", "Elbasan", "Elymaic", "Ethiopic",
            "Georgian", "Glagolitic", "Gothic", "Grantha", "Greek", "Gujarati", "Gunjala_Gondi", "Gurmukhi", "Han",
            "Hangul", "Hanifi_Rohingya", "Hanunoo", "Hatran", "Hebrew", "Hiragana", "Imperial_Aramaic",
            "Inherited", "Inscriptional_Pahlavi", "Inscriptional_Parthian", "Javanese", "Kaithi", "Kannada",
            "Katakana", "Kawi", "Kayah_Li", "Kharoshthi", "Khitan_Small_Script", "Khmer", "Khojki", "Khudawadi",
            "Lao", "Latin", "Lepcha", "Limbu", "Linear_A", "Linear_B", "Lisu", "Lycian", "Lydian", "Mahajani",
            "Makasar", "Malayalam", "Mandaic", "Manichaean", "Marchen", "Masaram_Gondi", "Medefaidrin",
            "Meetei_Mayek", "Mende_Kikakui", "Meroitic_Cursive", "Meroitic_Hieroglyphs", "Miao", "Modi",
            "Mongolian", "Mro", "Multani", "Myanmar", "Nabataean", "Nag_Mundari", "Nandinagari", "New_Tai_Lue",
            "Newa", "Nko", "Nushu", "Nyiakeng_Puachue_Hmong", "Ogham", "Ol_Chiki", "Old_Hungarian", "Old_Italic",
            "Old_North_Arabian", "Old_Permic", "Old_Persian", "Old_Sogdian", "Old_South_Arabian", "Old_Turkic",
            "Old_Uyghur", "Oriya", "Osage", "Osmanya", "Pahawh_Hmong", "Palmyrene", "Pau_Cin_Hau", "Phags_Pa",
            "Phoenician", "Psalter_Pahlavi", "Rejang", "Runic", "Samaritan", "Saurashtra", "Sharada", "Shavian",
            "Siddham", "SignWriting", "Sinhala", "Sogdian", "Sora_Sompeng", "Soyombo", "Sundanese",
            "Syloti_Nagri", "Syriac", "Tagalog", "Tagbanwa", "Tai_Le", "Tai_Tham", "Tai_Viet", "Takri", "Tamil",
            "Tangsa", "Tangut", "Telugu", "Thaana", "Thai", "Tibetan", "Tifinagh", "Tirhuta", "Toto", "Ugaritic",
            "Vai", "Vithkuqi", "Wancho", "Warang_Citi", "Yezidi", "Yi", "Zanabazar_Square",
        ]
        return Set(names.map(canonicalName))
    }()
}
