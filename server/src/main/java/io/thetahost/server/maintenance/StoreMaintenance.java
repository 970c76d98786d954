package io.thetahost.server.maintenance;

import io.thetahost.hooks.manifests.ReferencedTensors;
import io.thetahost.objectdb.TensorStore;
import io.thetahost.objectdb.fsck.FsckReport;
import io.thetahost.objectdb.gc.GcReport;
import io.thetahost.protocol.manifest.ManifestFormat;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import io.thetahost.protocol.tensor.TensorId;
import io.thetahost.server.registry.HostedRepositories;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.jgit.lib.Repository;

/** fsck and gc of the tensor store, the same whether the daemon runs them or an admin command does. */
public final class StoreMaintenance {
    private final TensorStore store;
    private final HostedRepositories repositories;

    public StoreMaintenance(TensorStore store, HostedRepositories repositories) {
        this.store = store;
        this.repositories = repositories;
    }

    /** Decodes every stored tensor and checks every id and chain; exit status 0 when clean. */
    public int fsck(PrintWriter out) {
        FsckReport report = store.fsck();
        report.lines().forEach(out::println);
        out.flush();
        return report.isClean() ? 0 : 1;
    }

    /**
     * Keeps every tensor a manifest in any repository's history references, and anything stored within the grace
     * period (uploads come before the push that references them); removes the rest.
     */
    public int gc(Duration grace, PrintWriter out) throws IOException {
        Set<TensorId> live = new HashSet<>();
        long maxManifest = ManifestFormat.maxManifestBytes(SafetensorsLimits.defaults());
        int scanned = 0;
        for (HostedRepositories.Listing listing : repositories.list()) {
            try (Repository repo = repositories.open(listing.name())) {
                live.addAll(ReferencedTensors.in(repo, maxManifest));
                scanned++;
            }
        }
        out.println("gc: " + live.size() + " tensors referenced by the manifests of " + scanned
                + " repositories; keeping uploads newer than " + grace);
        GcReport report = store.gc(live, Instant.now().minus(grace));
        report.lines().forEach(out::println);
        out.flush();
        return 0;
    }
}
