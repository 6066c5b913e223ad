package org.gntfs.region;

import java.util.List;
import org.gntfs.protocol.GrantsFile;

/**
 * The text of the virtual {@code .grants} file: one line per live region, in the format of
 * {@link GrantsFile}.
 */
public final class GrantsReport {
    public static final String FILE_NAME = GrantsFile.NAME;

    private GrantsReport() {}

    public static String render(List<Region> regions) {
        return GrantsFile.render(regions.stream().map(GrantsReport::line).toList());
    }

    private static GrantsFile.Line line(Region region) {
        Region.GrantSummary grant = region.summary();
        return GrantsFile.Line.of(region.path(), region.isLinked(), grant.domid(), grant.writable(), region.loanCount(),
                grant.grefs().asList());
    }
}
