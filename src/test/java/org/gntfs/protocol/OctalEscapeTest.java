package org.gntfs.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class OctalEscapeTest {
    @Test
    void escape_writesTheBackslashAndTheNamedCharactersAsThreeOctalDigits() {
        assertThat(OctalEscape.escape("a\tb\nc\\d e", "\t\n")).isEqualTo("a\\011b\\012c\\134d e");
        assertThat(OctalEscape.escape("a\tb e", " ")).isEqualTo("a\tb\\040e");
        assertThat(OctalEscape.escape("\\", "")).isEqualTo("\\134");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plain", "\\", "\\\\134", "\\012 literal", "tab\there", "new\nline", "ünïcödé\t€", "\u0001\u007f"})
    void unescape_undoesEscape(String text) {
        assertThat(OctalEscape.unescape(OctalEscape.escape(text, "\t\n \u0001"))).isEqualTo(text);
    }

    @Test
    void unescape_readsAnyOctalByte_asTheKernelWritesThem_andLeavesOtherBackslashesAlone() {
        assertThat(OctalEscape.unescape("/mnt/with\\040space")).isEqualTo("/mnt/with space");
        assertThat(OctalEscape.unescape("\\303\\274")).isEqualTo("ü");
        assertThat(OctalEscape.unescape("a\\b\\12\\8 trailing\\")).isEqualTo("a\\b\\12\\8 trailing\\");
    }
}
