package org.gntfs.region;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.primitives.ImmutableIntArray;
import org.junit.jupiter.api.Test;

class GrantsReportTest {
    @Test
    void runs_roundTrip() {
        ImmutableIntArray grefs = ImmutableIntArray.of(8, 9, 10, 12, 20, 21, 5);
        assertThat(GrantsReport.formatRuns(grefs)).isEqualTo("8-10,12,20-21,5");
        assertThat(GrantsReport.parseRuns("8-10,12,20-21,5")).isEqualTo(grefs);
        assertThat(GrantsReport.formatRuns(ImmutableIntArray.of())).isEqualTo("-");
        assertThat(GrantsReport.parseRuns("-").isEmpty()).isTrue();
    }
}
