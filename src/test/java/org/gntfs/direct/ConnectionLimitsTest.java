package org.gntfs.direct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConnectionLimitsTest {
    @Test
    void theDaemonsLimits_are4096InAll_and1024PerUser() {
        ConnectionLimits limits = new ConnectionLimits();
        for (int i = 0; i < 1024; i++) {
            assertThat(limits.admit(1000)).isEmpty();
        }
        assertThat(limits.admit(1000)).contains(
                "uid 1000 has 1024 direct-mapping connections open, the most one user may");
        for (int uid = 1001; uid < 1004; uid++) {
            for (int i = 0; i < 1024; i++) {
                assertThat(limits.admit(uid)).isEmpty();
            }
        }
        assertThat(limits.open()).isEqualTo(4096);
        assertThat(limits.admit(0)).contains("4096 direct-mapping connections are open, the most this daemon serves");
        assertThat(limits.admit(2000)).isPresent();
    }

    @Test
    void aUsersShare_comesBackAsTheirConnectionsEnd() {
        ConnectionLimits limits = new ConnectionLimits(10, 2);
        assertThat(limits.admit(1000)).isEmpty();
        assertThat(limits.admit(1000)).isEmpty();
        assertThat(limits.admit(1000)).isPresent();
        assertThat(limits.admit(1001)).isEmpty();

        limits.release(1000);

        assertThat(limits.admit(1000)).isEmpty();
        assertThat(limits.admit(1000)).isPresent();
        assertThat(limits.open()).isEqualTo(3);
    }

    @Test
    void rootIsNotCountedAgainstAShare_butIsInTheTotal() {
        ConnectionLimits limits = new ConnectionLimits(3, 1);
        assertThat(limits.admit(0)).isEmpty();
        assertThat(limits.admit(0)).isEmpty();
        assertThat(limits.admit(1000)).isEmpty();

        assertThat(limits.admit(0)).contains("3 direct-mapping connections are open, the most this daemon serves");

        limits.release(0);
        assertThat(limits.admit(1000)).contains("uid 1000 has 1 direct-mapping connections open, the most one user may");
        assertThat(limits.admit(0)).isEmpty();
    }

    @Test
    void releasingWhatWasNeverAdmitted_isABug() {
        ConnectionLimits limits = new ConnectionLimits(3, 1);
        assertThat(limits.admit(1000)).isEmpty();

        assertThatThrownBy(() -> limits.release(1001)).isInstanceOf(IllegalStateException.class);
        assertThat(limits.open()).isEqualTo(1);
    }
}
