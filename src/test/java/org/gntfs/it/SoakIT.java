package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The short soak CI runs: 15 seconds of {@code src/bench/soak.sh} (random operations from 4
 * processes, direct-mapping clients killed with SIGKILL, peers mapping by gref), then no grant,
 * descriptor or thread of the daemon left behind. Longer runs: {@code src/bench/soak.sh MINUTES}.
 */
class SoakIT {
    @Test
    void aShortSoak_leavesNoGrantDescriptorOrThreadBehind() {
        Proc.Result soak = Proc.run(List.of(Path.of("src/bench/soak.sh").toAbsolutePath().toString(), "0.25"), null,
                Duration.ofSeconds(120));

        assertThat(soak.exit()).as(soak.out() + soak.err()).isZero();
        assertThat(soak.out()).contains("grants in use 0", "workers ok");
    }
}
