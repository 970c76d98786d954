package io.thetahost.objectdb.fsck;

import io.thetahost.protocol.tensor.TensorId;
import java.util.ArrayList;
import java.util.List;

/**
 * What fsck checked and what it found wrong. Orphans (pieces of uploads that never committed) are not problems: they
 * are invisible, and gc reclaims them.
 *
 * @param tensorsChecked meta records read (each decoded to its end, chain included)
 * @param bytesDecoded raw tensor bytes decoded and hashed, not counting the bases decoded along the way
 * @param accessEntriesChecked grants checked against the tensors they name
 * @param problems what is wrong, in the order found
 * @param orphanBlobs blobs of uploads that never committed
 * @param orphanBytes their bytes
 * @param encodedBytes the stored encodings' bytes, what the tensors cost on disk before RocksDB's own overhead
 * @param patches the tensors stored as a patch against another (the others are stored dense)
 */
public record FsckReport(long tensorsChecked, long bytesDecoded, long accessEntriesChecked, List<Problem> problems,
        long orphanBlobs, long orphanBytes, long encodedBytes, long patches) {

    public FsckReport {
        problems = List.copyOf(problems);
    }

    /** One thing wrong; {@code tensor} is null when it concerns no one tensor (a malformed key, a stray blob). */
    public record Problem(TensorId tensor, String what) {
        @Override
        public String toString() {
            return tensor == null ? what : tensor + ": " + what;
        }
    }

    public boolean isClean() {
        return problems.isEmpty();
    }

    /** The report as a person reads it: a summary line, then one line per problem. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add("checked " + tensorsChecked + " tensors (" + bytesDecoded + " bytes decoded) and "
                + accessEntriesChecked + " access entries: " + (isClean() ? "no problems"
                        : problems.size() + (problems.size() == 1 ? " problem" : " problems")));
        lines.add("stored " + encodedBytes + " bytes of encodings: " + (tensorsChecked - patches) + " tensors dense, "
                + patches + " as patches against another");
        if (orphanBlobs > 0) {
            lines.add(orphanBlobs + " leftover encodings (of interrupted uploads, or replaced by a repack) hold "
                    + orphanBytes + " bytes that gc reclaims");
        }
        for (Problem p : problems) {
            lines.add("error: " + p);
        }
        return lines;
    }

    @Override
    public String toString() {
        return String.join("\n", lines());
    }
}
