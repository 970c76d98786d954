/**
 * What crosses a boundary: checkpoint file formats ({@code safetensors}), the manifest format ({@code manifest}),
 * tensor ids ({@code tensor}), pkt-line framing ({@code pktline}) and the theta transfer protocol ({@code transfer}).
 * {@code protocol/MANIFEST.md} specifies manifests, tensor ids and the safetensors rules; {@code protocol/PROTOCOL.md}
 * specifies the theta transfer protocol.
 */
package io.thetahost.protocol;
