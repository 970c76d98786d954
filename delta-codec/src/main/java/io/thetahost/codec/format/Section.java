package io.thetahost.codec.format;

/** One section of an encoding, decompressed. */
public record Section(SectionTag tag, byte[] data) {
}
