import static java.nio.charset.StandardCharsets.US_ASCII;

import java.nio.file.Path;
import org.gntfs.client.GntRegion;
import org.gntfs.nativeio.NativeError;

/**
 * A program that only maps regions, run by ClientJarIT with target/gntfs-client.jar and jnr-ffi
 * alone on its class path: maps REGION, stores TEXT at OFFSET, and prints what it saw.
 */
public class MapWithClientJar {
    private static final String[] DAEMON_CLASSES = {
        "org.gntfs.region.Region", "org.gntfs.direct.DirectMapServer", "org.gntfs.Fault",
        "jnr.ffi.provider.FFIProvider", "picocli.CommandLine",
        "org.slf4j.LoggerFactory", "com.google.common.base.Preconditions",
    };

    public static void main(String[] args) throws Exception {
        Path region = Path.of(args[0]);
        try (GntRegion mapped = GntRegion.open(region)) {
            mapped.buffer().put(Integer.parseInt(args[1]), args[2].getBytes(US_ASCII));
            System.out.println("size " + mapped.size() + " domid " + mapped.domid() + " grefs " + mapped.grefs());
        }
        try {
            GntRegion.open(region.resolveSibling("missing")).close();
        } catch (NativeError e) { // the client's own open refuses it, as for any file
            System.out.println("missing errno " + e.errno());
        }
        for (String name : DAEMON_CLASSES) {
            System.out.println(name + (isLoadable(name) ? " loadable" : " absent"));
        }
    }

    private static boolean isLoadable(String name) {
        try {
            Class.forName(name, false, MapWithClientJar.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
