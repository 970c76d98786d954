package io.thetahost.hooks.receive.checkpoints;

import io.thetahost.hooks.receive.CheckLimits;
import io.thetahost.protocol.manifest.InvalidManifestException;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestFormat;
import io.thetahost.protocol.safetensors.InvalidCheckpointException;
import io.thetahost.protocol.safetensors.SafetensorsHeader;
import java.io.IOException;
import java.io.InputStream;
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
 * Reads blobs of one push as manifests. Memory: a blob is loaded only when it is no larger than the manifest limit,
 * and at most {@link #CACHED} parsed manifests are kept (the ones a walk of parents and children asks for again).
 */
public final class ManifestBlobs {
    /** The bytes every canonical manifest opens with. */
    public static final byte[] OPENING = "{\n  \"thetahost_manifest\": ".getBytes(StandardCharsets.US_ASCII);
    static final int CACHED = 8;
    /** A checkpoint with no parameters: what a side without a manifest at a path holds. */
    public static final Manifest NONE = none();

    /** A blob read as a manifest: the manifest, or why it is not one. */
    public record Read(Manifest manifest, String problem) {
        public boolean isManifest() {
            return manifest != null;
        }
    }

    private final ObjectReader reader;
    private final CheckLimits limits;
    private final Map<ObjectId, Read> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ObjectId, Read> eldest) {
            return size() > CACHED;
        }
    };

    public ManifestBlobs(ObjectReader reader, CheckLimits limits) {
        this.reader = reader;
        this.limits = limits;
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
            return new Read(null, "it is " + size + " bytes, over this server's manifest limit of "
                    + limits.maxManifestBytes() + (opensLikeManifest(blob) ? "" : "; it looks like the checkpoint "
                    + "file itself, not a theta manifest"));
        }
        byte[] bytes = loader.getBytes();
        if (bytes.length > 0 && bytes[0] != '{') {
            return new Read(null, "it holds " + size + " bytes of the file itself, not a manifest: theta's clean "
                    + "filter did not run when it was committed");
        }
        try {
            return new Read(ManifestFormat.read(bytes, limits.checkpointLimits()), null);
        } catch (InvalidManifestException e) {
            return new Read(null, e.getMessage());
        }
    }
}
