package org.gntfs.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code .grants} and {@code gntfs list}, read by real processes of other users: each sees the
 * regions it could find by walking the tree, with search permission on every directory of the
 * path, and root sees them all. Tried as uid 65534, with and without a supplementary group, as a
 * user namespace's root and as a uid 0 without capabilities.
 */
class GrantsVisibilityIT {
    private static final int GROUP = 4242;
    private static final List<String> AS_NOBODY_IN_GROUP =
            List.of("setpriv", "--reuid=65534", "--regid=65534", "--groups=" + GROUP);
    private static final List<String> AS_NOBODYS_OWN_USER_NAMESPACE_ROOT =
            ImmutableList.<String>builder().addAll(SecurityIT.AS_NOBODY).add("unshare", "-r").build();
    private static final List<String> AS_ROOT_WITHOUT_CAPABILITIES = List.of(
            "setpriv", "--reuid=0", "--regid=0", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all");
    private static final List<String> AS_ROOT = List.of();

    /** Run by root: one region behind each kind of directory. */
    private static final String SET_UP = RegionMountIT.PY + String.join("\n",
            "d = sys.argv[1]",
            "for name, mode, gid in (('closed', 0o700, 0), ('searchable', 0o711, 0), ('group', 0o710, int(sys.argv[2])),",
            "                        ('nobodys', 0o700, 0)):",
            "    os.mkdir(os.path.join(d, name))",
            "    os.chmod(os.path.join(d, name), mode)",
            "    os.chown(os.path.join(d, name), 0, gid)",
            "    os.close(os.open(os.path.join(d, name, 'x'), os.O_CREAT | os.O_RDWR, 0o600))",
            "    os.truncate(os.path.join(d, name, 'x'), 4096)",
            "os.chown(os.path.join(d, 'nobodys'), 65534, 65534)",
            "os.close(os.open(os.path.join(d, 'open'), os.O_CREAT | os.O_RDWR, 0o600))");

    @RegisterExtension
    final MountedGntfs gntfs = new MountedGntfs();

    @BeforeEach
    void createRegions() {
        Proc.python(SET_UP, gntfs.root(), GROUP).assertOk();
    }

    private List<String> pathsInGrants(List<String> as) {
        String report = Proc.run(ImmutableList.<String>builder().addAll(as).add("cat", gntfs.path(".grants").toString()).build())
                .assertOk().out();
        return report.lines().skip(1).map(line -> line.substring(0, line.indexOf('\t'))).toList();
    }

    private String list(List<String> as, String... options) {
        return Proc.run(ImmutableList.<String>builder().addAll(as)
                .add("java", "-jar", Proc.readableByAll(Proc.JAR).toString(), "list", gntfs.root().toString())
                .add(options)
                .build()).assertOk().out();
    }

    @Test
    void anotherUser_seesNoRegionBehindADirectoryItCannotSearch_butOneInASearchableDirectory() {
        assertThat(pathsInGrants(SecurityIT.AS_NOBODY)).as("its own 0700 directory, the root's 0711 one")
                .containsExactly("/nobodys/x", "/open", "/searchable/x");
        assertThat(pathsInGrants(AS_ROOT)).containsExactly("/closed/x", "/group/x", "/nobodys/x", "/open", "/searchable/x");
    }

    @Test
    void gntfsList_showsTheSameRegions_asTextAndAsJson() {
        String table = list(SecurityIT.AS_NOBODY);
        String json = list(SecurityIT.AS_NOBODY, "--json");

        assertThat(table).contains("/nobodys/x", "/open", "/searchable/x").doesNotContain("/closed", "/group");
        assertThat(table.lines()).hasSize(4);
        assertThat(json).contains("\"path\":\"/nobodys/x\"", "\"path\":\"/open\"", "\"path\":\"/searchable/x\"")
                .doesNotContain("/closed", "/group");
        assertThat(list(AS_ROOT)).contains("/closed/x", "/group/x", "/nobodys/x", "/open", "/searchable/x");
        assertThat(list(AS_ROOT, "--json")).contains("\"path\":\"/closed/x\"");
    }

    @Test
    void aSupplementaryGroup_letsItsMembersSeeWhatTheGroupMaySearch() {
        assertThat(pathsInGrants(AS_NOBODY_IN_GROUP)).containsExactly("/group/x", "/nobodys/x", "/open", "/searchable/x");
        assertThat(list(AS_NOBODY_IN_GROUP)).contains("/group/x").doesNotContain("/closed");
    }

    @Test
    void theRootOfAUserNamespace_andAUid0WithoutCapabilities_seeOnlyWhatTheKernelLetsThemWalk() {
        assertThat(pathsInGrants(AS_NOBODYS_OWN_USER_NAMESPACE_ROOT)).as("its capabilities count in its namespace only")
                .containsExactly("/nobodys/x", "/open", "/searchable/x");
        assertThat(pathsInGrants(AS_ROOT_WITHOUT_CAPABILITIES))
                .as("the owner of every directory but nobody's").containsExactly("/closed/x", "/group/x", "/open", "/searchable/x");
    }

    @Test
    void aRegionUnlinkedButOpen_isShownToItsOwnerAndRoot_only() throws Exception {
        Process holder = new ProcessBuilder("python3", "-c", RegionMountIT.PY + String.join("\n",
                "fd = os.open(sys.argv[1], os.O_RDWR)",
                "os.unlink(sys.argv[1])",
                "print('held', flush=True)",
                "sys.stdin.read()"), gntfs.path("closed/x").toString()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), UTF_8))) {
            assertThat(out.readLine()).isEqualTo("held");

            assertThat(pathsInGrants(AS_ROOT)).contains("/x (deleted)");
            assertThat(pathsInGrants(SecurityIT.AS_NOBODY)).containsExactly("/nobodys/x", "/open", "/searchable/x");
            assertThat(pathsInGrants(AS_ROOT_WITHOUT_CAPABILITIES)).as("uid 0 owns it").contains("/x (deleted)");
        } finally {
            holder.getOutputStream().close();
            holder.waitFor();
        }
    }
}
