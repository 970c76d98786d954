package io.thetahost.client.filter;

import io.thetahost.client.git.Git;
import io.thetahost.client.progress.Progress;
import io.thetahost.client.repository.BackgroundFetch;
import io.thetahost.client.repository.HistoryVersions;
import io.thetahost.client.repository.ThetaRepository;
import io.thetahost.client.store.LocalStore;
import io.thetahost.protocol.manifest.InvalidManifestException;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestFormat;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import java.io.BufferedInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/**
 * Clean (checkpoint in, manifest out) and smudge (manifest in, checkpoint out) for one file each. Memory: a manifest
 * is read whole (bounded by the manifest size limit); checkpoints stream through, one tensor at a time.
 */
final class Filters {
    private static final int MAX_MANIFEST = (int) Math.min(Integer.MAX_VALUE - 8,
            ManifestFormat.maxManifestBytes(SafetensorsLimits.defaults()));

    private final ThetaRepository repo;
    private final StoreOpening stores;
    private final Progress progress;

    Filters(ThetaRepository repo, StoreOpening stores, Progress progress) {
        this.repo = repo;
        this.stores = stores;
        this.progress = progress;
    }

    /**
     * Stores the checkpoint's new tensors locally and answers its manifest. Content that is already a manifest (a
     * checkpoint whose smudge was skipped) and empty content pass through unchanged.
     */
    void clean(String path, InputStream content, Reply reply) throws IOException {
        BufferedInputStream in = new BufferedInputStream(content, 1 << 16);
        in.mark(1);
        int first = in.read();
        in.reset();
        if (first < 0 || first == '{') {
            byte[] bytes = readSmall(in, path);
            if (first >= 0 && manifest(bytes).isEmpty()) {
                throw new IOException(path + " is neither a safetensors checkpoint nor a theta manifest");
            }
            answer(reply, bytes);
            return;
        }
        Manifest manifest;
        try (LocalStore local = stores.open()) {
            manifest = local.add(in, path, progress);
        }
        content.close();
        answer(reply, ManifestFormat.write(staged(path).filter(m -> m.withMerges(List.of()).equals(manifest))
                .orElse(manifest)));
    }

    /**
     * The manifest staged for a path, if any. A merge commit's manifest declares how it merged; the checkpoint file
     * cannot say so, so cleaning the unchanged file must give back the staged manifest, declarations included, or git
     * would see a change that is not there.
     */
    private Optional<Manifest> staged(String path) throws IOException {
        Git.Result blob = repo.git().run(List.of("cat-file", "blob", ":" + path), "");
        return blob.ok() ? manifest(blob.bytes()) : Optional.empty();
    }

    /**
     * Answers the checkpoint a manifest describes, fetching the tensors missing here meanwhile: each is written once
     * it is downloaded, verified and stored. Empty content and a raw checkpoint (committed before its path was
     * tracked) pass through unchanged; anything else fails with an error reply, before or after part of the content,
     * so that git (filter.theta.required) discards what it received and fails the checkout rather than write it into
     * the checkpoint's place.
     */
    void smudge(String path, InputStream content, Reply reply, String commit) throws IOException {
        byte[] bytes = readSmall(content, path);
        content.close();
        if (bytes.length == 0 || isCheckpoint(bytes)) {
            answer(reply, bytes);
            return;
        }
        Manifest manifest;
        try {
            manifest = ManifestFormat.read(bytes);
        } catch (InvalidManifestException e) {
            throw new IOException(path + ": not a theta manifest (" + e.getMessage() + "); it was committed without"
                    + " theta's clean filter: check out a commit whose checkpoint was added with theta installed, or"
                    + " ask its author to re-add it", e);
        }
        if (skipSmudge()) {
            answer(reply, bytes);
            return;
        }
        // Tensors are written as the download stores them; a failure after the first byte makes the reply an
        // error, and git discards what it received (Reply).
        Progress shared = Progress.shared(progress);
        try (LocalStore local = stores.open();
                BackgroundFetch fetch = repo.fetchMissingInBackground(manifest, local, path, shared,
                        HistoryVersions.of(repo.git(), commit, path))) {
            long started = System.nanoTime();
            long[] written = {0};
            OutputStream out = new FilterOutputStream(reply.begin()) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    written[0] += len;
                    if (fetch.ended()) {
                        shared.update("theta: writing " + path + ": " + written[0] / (1024 * 1024) + " MiB");
                    }
                }
            };
            local.assemble(manifest, out, fetch::awaitStored);
            fetch.finish();
            local.parameters().record(manifest);
            reply.finish();
            shared.doneIfShown("theta: wrote " + path + ": " + manifest.tensors().size() + " tensors"
                    + Progress.rate(written[0], started));
        }
    }

    /**
     * {@code THETA_SKIP_SMUDGE=1}: check out manifests as they are, fetching nothing (as git-lfs's
     * {@code GIT_LFS_SKIP_SMUDGE}); {@code theta checkout} materializes them later, whole or in part.
     */
    private static boolean skipSmudge() {
        String skip = System.getenv("THETA_SKIP_SMUDGE");
        return skip != null && !skip.isEmpty() && !skip.equals("0");
    }

    private static void answer(Reply reply, byte[] bytes) throws IOException {
        reply.begin().write(bytes);
        reply.finish();
    }

    private static byte[] readSmall(InputStream in, String path) throws IOException {
        byte[] bytes = in.readNBytes(MAX_MANIFEST + 1);
        if (bytes.length > MAX_MANIFEST) {
            throw new IOException(path + ": over " + MAX_MANIFEST + " bytes, too large for a theta manifest");
        }
        return bytes;
    }

    /**
     * Whether the bytes have a safetensors file's shape: an 8-byte little-endian header length N, then N header bytes
     * opening with '{'. No JSON text has it: its first 8 bytes, read as such a length, are far beyond its own size.
     */
    private static boolean isCheckpoint(byte[] bytes) {
        if (bytes.length < 9 || bytes[8] != '{') {
            return false;
        }
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return n >= 2 && n <= bytes.length - 8;
    }

    private static Optional<Manifest> manifest(byte[] bytes) {
        try {
            return Optional.of(ManifestFormat.read(bytes));
        } catch (InvalidManifestException e) {
            return Optional.empty();
        }
    }
}
