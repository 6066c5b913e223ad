package org.gntfs.it;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.gntfs.region.Region;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * target/gntfs-client.jar is all a program needs to map a region: with it and jnr-ffi's jars
 * alone on its class path, a program in another JVM maps a region of a real mount.
 */
class ClientJarIT {
    static final Path CLIENT_JAR = Path.of("target/gntfs-client.jar").toAbsolutePath();
    /** jnr-ffi and what it brings (jffi, its native stubs, the assemblers, ASM), and jnr-constants for errno names. */
    private static final Pattern JNR_FFI_JARS =
            Pattern.compile("(jnr-ffi|jffi|jnr-a64asm|jnr-x86asm|asm|asm-[a-z]+|jnr-constants)-[0-9][^/]*\\.jar");

    @RegisterExtension
    final MountedGntfs gntfs = new MountedGntfs(1024, 0);

    private static List<String> jnrFfiJars() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> JNR_FFI_JARS.matcher(Path.of(entry).getFileName().toString()).matches())
                .toList();
    }

    @Test
    void aProgramWithTheClientJarAndJnrFfiAlone_mapsARegionAndStoresInItsGrantedPages() throws InterruptedException {
        List<String> jnr = jnrFfiJars();
        assertThat(jnr).extracting(entry -> Path.of(entry).getFileName().toString().replaceAll("-[0-9].*", ""))
                .contains("jnr-ffi", "jffi", "jnr-a64asm", "jnr-x86asm", "asm", "jnr-constants")
                .doesNotContain("jnr-posix", "guava", "picocli", "slf4j-api", "slf4j-simple");
        String classPath = CLIENT_JAR + File.pathSeparator + String.join(File.pathSeparator, jnr);
        Path ring = DirectHolder.createRegion(gntfs.path("ring"), 0644, 2 * 4096);

        Proc.Result run = Proc.run(List.of("java", "-cp", classPath,
                Proc.script("MapWithClientJar.java").toString(), ring.toString(), "4100", "from the client jar"));

        Region region = gntfs.tree().region("/ring");
        assertThat(run.assertOk().out()).isEqualTo(String.join("\n",
                "size 8192 domid 0 grefs " + region.grefs().asList(),
                "missing errno 2",
                "org.gntfs.region.Region absent",
                "org.gntfs.direct.DirectMapServer absent",
                "org.gntfs.Fault absent",
                "jnr.ffi.provider.FFIProvider loadable",
                "picocli.CommandLine absent",
                "org.slf4j.LoggerFactory absent",
                "com.google.common.base.Preconditions absent",
                ""));
        byte[] granted = MountedGntfs.grantedBytes(region);
        assertThat(new String(granted, 4100, 19, US_ASCII)).isEqualTo("from the client jar");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (region.loanCount() > 0) {
            assertThat(System.nanoTime()).as("the program's loan still not ended").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
