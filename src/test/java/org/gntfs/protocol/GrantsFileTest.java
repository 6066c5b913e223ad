package org.gntfs.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GrantsFileTest {
    @Test
    void runs_roundTrip() {
        List<Integer> grefs = List.of(8, 9, 10, 12, 20, 21, 5);
        assertThat(GrantsFile.formatRuns(grefs)).isEqualTo("8-10,12,20-21,5");
        assertThat(GrantsFile.parseRuns("8-10,12,20-21,5", 7)).isEqualTo(grefs);
        assertThat(GrantsFile.formatRuns(List.of())).isEqualTo("-");
        assertThat(GrantsFile.parseRuns("-", 0)).isEmpty();
    }

    @Test
    void parseRuns_stopsAtTheMostItWasTold() {
        assertThatThrownBy(() -> GrantsFile.parseRuns("0-2147483647", 4)).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void aRegionsLine_isTabSeparated_withItsPathEscaped_andDeletedOnceUnlinked() throws WireFormatException {
        var linked = GrantsFile.Line.of("/d/a\tb\\c", true, 7, true, 2, List.of(8, 9, 10));
        var unlinked = GrantsFile.Line.of("/gone\n", false, 0, false, 0, List.of(11));

        assertThat(GrantsFile.render(linked)).isEqualTo("/d/a\\011b\\134c\t7\t3\trw\t2\t8-10\n");
        assertThat(GrantsFile.render(unlinked)).isEqualTo("/gone\\012 (deleted)\t0\t1\tro\t0\t11\n");
        assertThat(unlinked.path()).isEqualTo("/gone\n (deleted)");

        String report = GrantsFile.render(List.of(linked, unlinked));
        assertThat(report).startsWith(GrantsFile.HEADER + "\n");
        assertThat(GrantsFile.parse(report)).containsExactly(linked, unlinked);
    }

    @Test
    void anEmptyReport_isTheHeaderAlone() throws WireFormatException {
        assertThat(GrantsFile.render(List.of())).isEqualTo("path\tdomid\tpages\taccess\tdirect\tgrefs\n");
        assertThat(GrantsFile.parse(GrantsFile.render(List.of()))).isEmpty();
    }

    @Test
    void aReportWithoutTheHeader_isNotOne() {
        assertThatThrownBy(() -> GrantsFile.parse("")).isInstanceOf(WireFormatException.class)
                .hasMessage("not a .grants report: it lacks the header");
        assertThatThrownBy(() -> GrantsFile.parse("/a\t0\t1\trw\t0\t8\n")).isInstanceOf(WireFormatException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/a\t0\t1\trw\t0",
        "/a\t0\t1\trw\t0\t8\textra",
        "/a\tzero\t1\trw\t0\t8",
        "/a\t0\t1\trw\t0\t8-x",
        "/a\t0\t2\trw\t0\t8",
        "/a\t0\t1\trw\t0\t8-2147483647",
    })
    void aBadLine_isNamedInTheMessage(String line) {
        assertThatThrownBy(() -> GrantsFile.parse(GrantsFile.HEADER + "\n" + line + "\n"))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("bad .grants line: " + line);
    }
}
