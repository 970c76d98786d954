package io.thetahost.cluster.tensors;

import io.thetahost.codec.decode.BaseLookup;
import io.thetahost.codec.decode.DecodingStream;
import io.thetahost.codec.encode.KindEncoders;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.codec.format.EncodingHeader;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.objectdb.StoreOptions;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.put.Upload;
import io.thetahost.objectdb.put.ValueFlags;
import io.thetahost.objectdb.store.CorruptStoreException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Stores a patch that would make its chain too deep as a dense encoding instead (as object-db's Reencoder does for
 * RocksDB). The decoded tensor is spilled to a file (it may be far larger than memory), encoded dense from there into
 * another file, and that file decoded once more and checked against the id before it may be uploaded: what the
 * store writes itself is verified like what it receives. Memory: the codec's, about a chunk at a time.
 */
final class DenseReencoder {
    private final StoreOptions options;
    private final Path spoolDir;

    DenseReencoder(StoreOptions options, Path spoolDir) {
        this.options = options;
        this.spoolDir = spoolDir;
    }

    /**
     * Reads the rest of {@code tensor} (checking its id) and writes it dense into {@code into}.
     *
     * @return the dense encoding's meta (its time is set at commit)
     */
    TensorMeta reencode(DecodingStream tensor, Path into) throws IOException {
        EncodingHeader h = tensor.header();
        Path spill = Files.createTempFile(spoolDir, "reencode-", ".raw");
        try {
            ValueFlags flags = ValueFlags.of(h.dtype());
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(spill), 1 << 16)) {
                Upload.drain(tensor, flags, out);
            }
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(into), 1 << 16)) {
                new KindEncoders(options.encoderOptions())
                        .dense(TensorInput.inFile(spill, 0, h.dtype(), h.shape()), h.target(), out);
            }
            try (DecodingStream check = DecodingStream.open(
                    new BufferedInputStream(Files.newInputStream(into), 1 << 16), BaseLookup.NONE, options.limits())) {
                Upload.drain(check, null, null);
                if (check.header().kind() != EncodingKind.DENSE || !check.verifiedId().equals(h.target())) {
                    throw new CorruptStoreException("the dense re-encoding of " + h.target() + " decodes to "
                            + check.verifiedId());
                }
            }
            return new TensorMeta(h.target(), h.dtype(), h.shape(), h.tensorBytes(), EncodingKind.DENSE, null, 0,
                    Files.size(into), flags.hasNaN(), flags.hasInf(), Instant.EPOCH);
        } finally {
            Files.deleteIfExists(spill);
        }
    }
}
