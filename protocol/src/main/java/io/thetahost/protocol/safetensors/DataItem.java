package io.thetahost.protocol.safetensors;

/** One region of a checkpoint's data area, in file order: a tensor's bytes or a gap's. */
public sealed interface DataItem permits TensorData, GapBytes {
    /** Where the region starts, relative to the data area. */
    long offset();
}
