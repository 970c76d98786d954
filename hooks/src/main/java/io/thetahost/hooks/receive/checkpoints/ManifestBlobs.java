package io.thetahost.hooks.receive.checkpoints;

import io.thetahost.hooks.receive.CheckLimits;
import io.thetahost.hooks.memory.MemoryBudget;
import io.thetahost.protocol.manifest.InvalidManifestException;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestFormat;
import io.thetahost.protocol.safetensors.InvalidCheckpointException;
import io.thetahost.protocol.safetensors.SafetensorsHeader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;

/**
 * Reads blobs of one push as manifests. Memory: a blob is loaded only when it is no larger than the manifest limit and
 * while it holds its size of the daemon's {@link MemoryBudget}, and at most {@link #CACHED} parsed manifests
 * are kept (the ones a walk of parents and children asks for again).
 */
public final class ManifestBlobs {
    /** The bytes every canonical manifest opens with. */
    public static final byte[] OPENING = "{\n  \"thetahost_manifest\": ".getBytes(StandardCharsets.US_ASCII);
    static final int CACHED = 8;
    /** A checkpoint with no parameters: what a side without a manifest at a path holds. */
    public static final Manifest NONE = none();

    /** A blob read as a manifest: the manifest, or why it is not one; {@code size} is the blob's. */
    public record Read(Manifest manifest, String problem, long size) {
        static Read failed(long size, String problem) {
            return new Read(null, problem, size);
        }

        public boolean isManifest() {
            return manifest != null;
        }
    }

    private final ObjectReader reader;
    private final CheckLimits limits;
    private final MemoryBudget budget;
    /** The manifests read last, most recent last: at most {@link #CACHED}, and a manifest limit's worth of blobs. */
    private final Map<ObjectId, Read> cache = new LinkedHashMap<>(16, 0.75f, true);
    private long cachedBytes;

    public ManifestBlobs(ObjectReader reader, CheckLimits limits, MemoryBudget budget) {
        this.reader = reader;
        this.limits = limits;
        this.budget = budget;
    }

    /** Whether a blob opens like a manifest; reads only its first bytes. */
    public boolean opensLikeManifest(ObjectId blob) throws IOException {
        ObjectLoader loader = reader.open(blob, Constants.OBJ_BLOB);
        if (loader.getSize() < OPENING.length) {
            return false;
        }
        try (InputStream in = loader.openStream()) {
            return Arrays.equals(in.readNBytes(OPENING.length), OPENING);
        }
    }

    /** The blob read as a manifest under the push limits, or the parser's reason it is not one. */
    public Read read(ObjectId blob) throws IOException {
        Read cached = cache.get(blob);
        if (cached != null) {
            return cached;
        }
        Read read = parse(blob);
        cache.put(blob.copy(), read);
        cachedBytes += read.size();
        for (var eldest = cache.values().iterator(); cache.size() > 1
                && (cache.size() > CACHED || cachedBytes > limits.maxManifestBytes()); ) {
            cachedBytes -= eldest.next().size();
            eldest.remove();
        }
        return read;
    }

    /** The manifest, if the blob is one; a blob that is not one has no parameters. */
    public Optional<Manifest> manifest(ObjectId blob) throws IOException {
        if (blob == null || !opensLikeManifest(blob)) {
            return Optional.empty();
        }
        return Optional.ofNullable(read(blob).manifest());
    }

    /** The manifest, or {@link #NONE} where the blob is absent or not one. */
    public Manifest manifestOrNone(ObjectId blob) throws IOException {
        return manifest(blob).orElse(NONE);
    }

    private static Manifest none() {
        try {
            return Manifest.of(SafetensorsHeader.build(null, List.of()), List.of(), List.of());
        } catch (InvalidCheckpointException e) {
            throw new IllegalStateException("an empty header is valid", e);
        }
    }

    private Read parse(ObjectId blob) throws IOException {
        ObjectLoader loader = reader.open(blob, Constants.OBJ_BLOB);
        long size = loader.getSize();
        if (size > limits.maxManifestBytes()) {
            return Read.failed(size, "it is " + size + " bytes, over this server's manifest limit of "
                    + limits.maxManifestBytes() + (opensLikeManifest(blob) ? "" : "; it looks like the checkpoint "
                    + "file itself, not a theta manifest"));
        }
        if (!opensLikeJson(loader)) {
            return Read.failed(size, "it holds " + size + " bytes of the file itself, not a manifest: theta's clean "
                    + "filter did not run when it was committed");
        }
        try (MemoryBudget.Share share = budget.acquire(size)) {
            return new Read(ManifestFormat.read(loader.getBytes(), limits.checkpointLimits()), null, size);
        } catch (InvalidManifestException e) {
            return Read.failed(size, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to read a manifest");
        }
    }

    private static boolean opensLikeJson(ObjectLoader loader) throws IOException {
        if (loader.getSize() == 0) {
            return true;
        }
        try (InputStream in = loader.openStream()) {
            return in.read() == '{';
        }
    }
}
