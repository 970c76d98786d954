package io.thetahost.objectdb.repack;

import java.util.List;

/**
 * What a repack did.
 *
 * @param denseConsidered tensors stored dense that had a neighbour to try
 * @param reencoded how many of them are now stored as patches
 * @param bytesBefore their encoded bytes before
 * @param bytesAfter their encoded bytes after
 */
public record RepackReport(long denseConsidered, long reencoded, long bytesBefore, long bytesAfter) {
    public List<String> lines() {
        return List.of("repack: " + reencoded + " of " + denseConsidered + " tensors stored dense with a neighbour in "
                + "history are now patches: " + bytesBefore + " bytes -> " + bytesAfter + " bytes (saved "
                + (bytesBefore - bytesAfter) + ")");
    }

    @Override
    public String toString() {
        return String.join("\n", lines());
    }
}
