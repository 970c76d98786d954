package io.thetahost.client.push;

import io.thetahost.client.progress.Progress;
import io.thetahost.client.repository.ThetaRepository;
import io.thetahost.client.store.LocalStore;
import io.thetahost.client.transfer.TensorTransfers;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestTensor;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code theta pre-push REMOTE URL}: git's pre-push hook. Uploads the tensors of the pushed manifests that the remote
 * lacks, each encoded against a version of the same parameter the remote has, before git sends any ref; a failure
 * stops the push.
 */
@Command(name = "pre-push", hidden = true, description = "git's pre-push hook (theta install); not for people.")
public final class PrePushCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REMOTE")
    String remote;

    @Parameters(index = "1", paramLabel = "URL")
    String url;

    @Override
    public Integer call() throws IOException {
        String refs = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        ThetaRepository repo = ThetaRepository.here();
        List<PushedManifests.Found> manifests = PushedManifests.find(repo, refs, remote);
        if (manifests.isEmpty()) {
            return 0;
        }
        try (LocalStore local = repo.openStore()) {
            Map<TensorId, TensorTransfers.Upload> items = new LinkedHashMap<>();
            // Oldest first (git lists the newest first): each version can go as a patch against the one before it.
            List<PushedManifests.Found> oldestFirst = new ArrayList<>(manifests);
            java.util.Collections.reverse(oldestFirst);
            for (PushedManifests.Found found : oldestFirst) {
                List<Map<String, TensorId>> earlier = found.earlier().stream().map(PrePushCommand::idsByName)
                        .toList();
                for (ManifestTensor t : found.manifest().tensors()) {
                    if (!items.containsKey(t.id())) {
                        items.put(t.id(), new TensorTransfers.Upload(t.id(), bases(local, t, earlier),
                                Optional.empty(), t.name()));
                    }
                }
            }
            TensorTransfers transfers = repo.transfers(url, local, Progress.on(System.err));
            try {
                transfers.upload(new ArrayList<>(items.values()));
            } catch (IOException e) {
                throw new IOException("could not upload the tensors of the pushed checkpoints, so no ref was "
                        + "pushed: " + e.getMessage(), e);
            }
        }
        return 0;
    }

    /**
     * The bases to try, best first: the tensor's stored base (a patch made by theta add), then the same parameter in
     * the earlier versions of its checkpoint in history, nearest first, then the other versions of it seen here.
     */
    private static List<TensorId> bases(LocalStore local, ManifestTensor t, List<Map<String, TensorId>> earlier) {
        LinkedHashSet<TensorId> bases = new LinkedHashSet<>();
        local.meta(t.id()).map(TensorMeta::base).ifPresent(bases::add);
        for (Map<String, TensorId> version : earlier) {
            TensorId id = version.get(t.name());
            if (id != null) {
                bases.add(id);
            }
        }
        bases.addAll(local.parameters().versionsOf(t.name(), t.id()));
        bases.remove(t.id());
        return bases.stream().filter(local::has).toList();
    }

    private static Map<String, TensorId> idsByName(Manifest m) {
        Map<String, TensorId> ids = new HashMap<>();
        m.tensors().forEach(t -> ids.put(t.name(), t.id()));
        return ids;
    }
}
