/**
 * The safetensors checkpoint format: a validated header ({@link io.thetahost.protocol.safetensors.SafetensorsHeader}),
 * a streaming reader that never buffers a tensor whole, and a writer that rebuilds a file byte for byte from its
 * header and data. Every refusal is an {@link io.thetahost.protocol.safetensors.InvalidCheckpointException} that
 * names the tensor and the rule broken; {@code protocol/MANIFEST.md} lists the rules.
 */
package io.thetahost.protocol.safetensors;
