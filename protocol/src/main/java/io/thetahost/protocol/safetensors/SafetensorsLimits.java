package io.thetahost.protocol.safetensors;

/**
 * How much of a checkpoint is accepted before it is taken as hostile.
 *
 * @param maxHeaderBytes the largest header (JSON plus padding) read into memory; the reference implementation's
 *     limit of 100,000,000 bytes by default
 * @param maxTensors the most tensors a header may declare
 * @param maxGapBytes the most bytes of the data area, in total, that no tensor covers (before the first tensor,
 *     between tensors and after the last). They are kept verbatim (in memory and in the manifest) so the file can be
 *     rebuilt byte for byte; 0 refuses every gap, as the reference implementation does
 */
public record SafetensorsLimits(int maxHeaderBytes, int maxTensors, int maxGapBytes) {
    /** Arrays and Jackson's string limit are int-sized; stay under the JVM's largest array. */
    public static final int MAX_HEADER_BYTES_CEILING = Integer.MAX_VALUE - 16;
    /** Gap bytes are base64 in the manifest (4/3 larger), which must still fit one Java string. */
    public static final int MAX_GAP_BYTES_CEILING = 1 << 30;

    public SafetensorsLimits {
        if (maxHeaderBytes < 2 || maxHeaderBytes > MAX_HEADER_BYTES_CEILING) {
            throw new IllegalArgumentException("maxHeaderBytes must be within [2, " + MAX_HEADER_BYTES_CEILING + "]: "
                    + maxHeaderBytes);
        }
        if (maxTensors < 0) {
            throw new IllegalArgumentException("maxTensors must not be negative: " + maxTensors);
        }
        if (maxGapBytes < 0 || maxGapBytes > MAX_GAP_BYTES_CEILING) {
            throw new IllegalArgumentException("maxGapBytes must be within [0, " + MAX_GAP_BYTES_CEILING + "]: "
                    + maxGapBytes);
        }
    }

    /** 100,000,000 header bytes, 1,000,000 tensors, 1 MiB of gaps. */
    public static SafetensorsLimits defaults() {
        return new SafetensorsLimits(100_000_000, 1_000_000, 1 << 20);
    }

    public SafetensorsLimits withMaxHeaderBytes(int value) {
        return new SafetensorsLimits(value, maxTensors, maxGapBytes);
    }

    public SafetensorsLimits withMaxTensors(int value) {
        return new SafetensorsLimits(maxHeaderBytes, value, maxGapBytes);
    }

    public SafetensorsLimits withMaxGapBytes(int value) {
        return new SafetensorsLimits(maxHeaderBytes, maxTensors, value);
    }
}
