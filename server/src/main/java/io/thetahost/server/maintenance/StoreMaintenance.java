package io.thetahost.server.maintenance;

import io.thetahost.hooks.manifests.HistoryManifests;
import io.thetahost.hooks.manifests.NeighbouringVersions;
import io.thetahost.hooks.manifests.ReferencedTensors;
import io.thetahost.objectdb.TensorStore;
import io.thetahost.objectdb.fsck.FsckReport;
import io.thetahost.objectdb.gc.GcReport;
import io.thetahost.objectdb.repack.Neighbours;
import io.thetahost.objectdb.repack.RepackReport;
import io.thetahost.protocol.manifest.ManifestFormat;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import io.thetahost.protocol.tensor.TensorId;
import io.thetahost.hooks.naming.RepositoryName;
import io.thetahost.server.registry.HostedRepositories;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
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
     * First prunes each repository's git objects that no ref reaches (a rejected push leaves its objects behind, since
     * JGit has no quarantine) once older than the grace period; then keeps every tensor a manifest in any
     * repository's history references, and anything stored within the grace period (uploads come before the push
     * that references them), and removes the rest. The grace period also keeps the objects of a push in flight. With
     * repack, then re-encodes tensors stored dense against their neighbours in every repository's history.
     */
    public int gc(GcArguments arguments, PrintWriter out) throws IOException {
        Duration grace = arguments.grace();
        ReferencedTensors referenced = new ReferencedTensors();
        Set<Neighbours> neighbours = new LinkedHashSet<>();
        long maxManifest = ManifestFormat.maxManifestBytes(SafetensorsLimits.defaults());
        int scanned = 0;
        Instant keepAfter = Instant.now().minus(grace);
        for (RepositoryName name : repositories.names()) {
            try (Repository repo = repositories.open(name)) {
                repositories.collectGarbage(repo, keepAfter);
                // One walk of the history serves gc's live set and, asked for, repack's pairs.
                NeighbouringVersions versions = new NeighbouringVersions();
                HistoryManifests.walk(repo, maxManifest, (path, manifest) -> {
                    referenced.manifest(path, manifest);
                    if (arguments.repack()) {
                        versions.manifest(path, manifest);
                    }
                });
                neighbours.addAll(versions.pairs());
                scanned++;
            }
        }
        Set<TensorId> live = referenced.ids();
        out.println("gc: " + live.size() + " tensors referenced by the manifests of " + scanned
                + " repositories; keeping uploads newer than " + grace);
        GcReport report = store.gc(live, keepAfter);
        report.lines().forEach(out::println);
        out.flush();
        if (arguments.repack()) {
            out.println("repack: " + neighbours.size() + " pairs of neighbouring versions in history");
            out.flush();
            RepackReport repacked = store.repack(neighbours, line -> {
                out.println(line);
                out.flush();
            });
            repacked.lines().forEach(out::println);
            out.flush();
        }
        return 0;
    }
}
