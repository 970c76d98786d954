/**
 * What git stores instead of a checkpoint: the {@link io.thetahost.protocol.manifest.Manifest} (header bytes
 * verbatim, tensor ids, gap bytes) in a canonical JSON form ({@link io.thetahost.protocol.manifest.ManifestFormat}),
 * and {@link io.thetahost.protocol.manifest.Checkpoints}, which splits a checkpoint into a manifest plus tensors and
 * assembles the exact file again. {@code protocol/MANIFEST.md} is the specification.
 */
package io.thetahost.protocol.manifest;
