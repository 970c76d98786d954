/**
 * What crosses a boundary: checkpoint file formats ({@code safetensors}), the manifest format ({@code manifest}),
 * tensor ids ({@code tensor}), pkt-line framing ({@code pktline}) and the theta transfer protocol.
 * {@code protocol/MANIFEST.md} specifies manifests, tensor ids and the safetensors rules.
 */
package io.thetahost.protocol;
