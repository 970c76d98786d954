package io.thetahost.objectdb.put;

import io.thetahost.codec.decode.BaseLookup;
import io.thetahost.codec.decode.DecodingStream;
import io.thetahost.codec.encode.KindEncoders;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.codec.format.EncodingHeader;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.objectdb.StoreOptions;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.read.BlobInputStream;
import io.thetahost.objectdb.store.CorruptStoreException;
import io.thetahost.objectdb.store.InFlightBlobs;
import io.thetahost.objectdb.store.StoreDb;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Stores a patch that would make its chain too deep as a dense encoding instead. The decoded tensor is spilled to a
 * temporary file (it may be far larger than memory), encoded dense from there into pieces, and the pieces decoded
 * once more and checked against the id before they may be committed: what the store writes itself is verified like
 * what it receives.
 */
final class Reencoder {
    private final StoreDb db;
    private final InFlightBlobs inFlight;
    private final StoreOptions options;
    private final Path tempDir;

    Reencoder(StoreDb db, InFlightBlobs inFlight, StoreOptions options, Path tempDir) {
        this.db = db;
        this.inFlight = inFlight;
        this.options = options;
        this.tempDir = tempDir;
    }

    /** A verified dense encoding in pieces, not yet committed: the caller commits or discards the pieces. */
    record Reencoded(PieceWriter pieces, TensorMeta meta) {
    }

    /** Reads the rest of {@code tensor} (checking its id) and writes it dense. */
    Reencoded reencode(DecodingStream tensor) throws IOException {
        EncodingHeader h = tensor.header();
        Files.createDirectories(tempDir);
        Path spill = Files.createTempFile(tempDir, "reencode-", ".raw");
        try {
            ValueFlags flags = ValueFlags.of(h.dtype());
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(spill), 1 << 16)) {
                Upload.drain(tensor, flags, out);
            }
            PieceWriter pieces = new PieceWriter(db, inFlight, options.pieceBytes());
            try {
                new KindEncoders(options.encoderOptions())
                        .dense(TensorInput.inFile(spill, 0, h.dtype(), h.shape()), h.target(), pieces);
                pieces.finish();
                verify(pieces, h);
                TensorMeta meta = new TensorMeta(h.target(), h.dtype(), h.shape(), h.tensorBytes(),
                        EncodingKind.DENSE, null, 0, pieces.bytes(), flags.hasNaN(), flags.hasInf(), Instant.EPOCH);
                return new Reencoded(pieces, meta);
            } catch (IOException | RuntimeException e) {
                pieces.discard();
                throw e;
            }
        } finally {
            Files.deleteIfExists(spill);
        }
    }

    private void verify(PieceWriter pieces, EncodingHeader h) throws IOException {
        BlobInputStream written = new BlobInputStream(db, null, pieces.blob(), pieces.bytes(),
                "the dense re-encoding of " + h.target());
        try (DecodingStream check = DecodingStream.open(written, BaseLookup.NONE, options.limits())) {
            Upload.drain(check, null, null);
            if (check.header().kind() != EncodingKind.DENSE || !check.verifiedId().equals(h.target())) {
                throw new CorruptStoreException("the dense re-encoding of " + h.target() + " decodes to "
                        + check.verifiedId());
            }
        }
    }
}
