package org.gntfs.cli;

import com.google.common.collect.ImmutableList;
import java.util.Iterator;
import java.util.Locale;
import org.gntfs.grant.GrantBackendProvider;
import org.gntfs.grant.GrantBackendProviders;
import picocli.CommandLine;

/** {@code --backend}'s value: {@code auto} or the name of a registered backend, in any case. */
final class BackendChoice implements CommandLine.ITypeConverter<GrantBackendProvider> {
    @Override
    public GrantBackendProvider convert(String value) {
        String name = value.toLowerCase(Locale.ROOT);
        if (name.equals(GrantBackendProviders.AUTO)) {
            return GrantBackendProviders.auto();
        }
        return GrantBackendProviders.named(name).orElseThrow(() -> new CommandLine.TypeConversionException(
                "expected one of " + ImmutableList.copyOf(new Names()) + " (case-insensitive) but was '" + value + "'"));
    }

    /** {@code auto}, then every backend by name. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return ImmutableList.<String>builder()
                    .add(GrantBackendProviders.AUTO)
                    .addAll(GrantBackendProviders.all().stream().map(GrantBackendProvider::name).iterator())
                    .build()
                    .iterator();
        }
    }
}
